import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PageQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { serializeRedemption } from "../../../../../../core/domain/http/views"
import { route } from "../../../../../../lib/http"
import { memberRedemptions } from "../../../../../../workflows/members/member-account"
import { listPage, Redemption } from "../../../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../../core/domain/http/route-docs"

/** GET /admin/loyalty/accounts/:customer_id/redemptions?limit&offset → the customer's codes and their status, newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const page = parseInput(PageQuery, req.query, "query")
  const [redemptions, count] = await memberRedemptions(req.scope, req.params.customer_id, page)
  res.json({ redemptions: redemptions.map(serializeRedemption), count, ...page })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "A customer's redemption codes (reserved / settled / voided), newest first",
    query: PageQuery,
    response: listPage("redemptions", Redemption),
    errors: [Refusals.notFound("no such customer")],
  },
}
