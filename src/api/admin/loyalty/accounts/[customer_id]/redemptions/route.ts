import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyRedemptionService from "../../../../../../services/loyalty-redemption"
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
