import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyRedemptionService from "../../../../../../services/loyalty-redemption"
import { listPage, Redemption } from "../../../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../_shared/route-docs"
import { route } from "../../../../../_shared/handler"
import { memberAccount } from "../../../../../_shared/members"
import { serializeRedemption } from "../../../../../_shared/serialize"
import { PageQuery, parseInput } from "../../../../../_shared/validate"

/** GET /admin/loyalty/accounts/:customer_id/redemptions?limit&offset → that member's redemption codes, newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const page = parseInput(PageQuery, req.query, "query")
  const account = await memberAccount(req, req.params.customer_id)
  const service: LoyaltyRedemptionService = req.scope.resolve("loyaltyRedemptionService")
  const [redemptions, count] = await service.listForCustomer(account.customer_id, page)
  res.json({ redemptions: redemptions.map(serializeRedemption), count, ...page })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "A member's redemption codes with their status, newest first",
    query: PageQuery,
    response: listPage("redemptions", Redemption),
    errors: [Refusals.notFound("no such customer")],
  },
}
