import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyStatsService from "../../../../../services/loyalty-stats"
import { route } from "../../../../_shared/handler"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"
import { TierStatsResponse } from "../../../../../domain/http/reports"


/**
 * GET /admin/loyalty/stats/tiers → { tiers: [{ code, name, members }] }: accounts per tier of the live ladder by rank
 * (0 when empty), then tier codes accounts still hold that the ladder no longer has (named by their code), then
 * `{ code: "none", name: "No tier" }` when some accounts have no tier. The rows add up to the number of accounts.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ tiers: await req.scope.resolve<LoyaltyStatsService>("loyaltyStatsService").tiers() })
})

export const openapi: RouteDocs = {
  GET: { summary: "Members per tier of the live ladder (plus members without a tier)", query: NoQuery, response: TierStatsResponse },
}
