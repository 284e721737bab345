import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { tierStats } from "../../../../../workflows/reports/stats"
import { TierStatsResponse } from "../../../../../core/domain/http/reports"
import type { RouteDocs } from "../../../../../core/domain/http/route-docs"

/**
 * GET /admin/loyalty/stats/tiers → { tiers: [{ code, name, members }] } (docs/api.md): accounts per tier of the live
 * ladder, then codes the ladder no longer has, then `none`; the rows add up to the number of accounts.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ tiers: await tierStats(req.scope) })
})

export const openapi: RouteDocs = {
  GET: { summary: "Members per tier of the live ladder (plus members without a tier)", query: NoQuery, response: TierStatsResponse },
}
