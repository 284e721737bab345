import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyStatsService from "../../../../../services/loyalty-stats"
import { route } from "../../../../_shared/handler"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { parseInput } from "../../../../_shared/validate"
import { ActivityQuery, ActivityResponse } from "../../../../../domain/http/reports"

// The schemas are the core's, shared with the v2 adapter.
const Query = ActivityQuery

/**
 * GET /admin/loyalty/stats/activity?from=YYYY-MM-DD&to=YYYY-MM-DD → { from, to, days: [{ date, issued_points,
 * redeemed_points, expired_points, clawed_back_points, adjusted_points, outstanding_points }] }: one row per UTC day
 * (zero-filled), oldest first. `to` defaults to today (UTC), `from` to 29 days before `to`; at most 366 days.
 * Each bucket is the signed sum of its entries' points (the member's point of view, as on the entries), so a day's
 * buckets add up to its change of `outstanding_points` (Σ points of all entries up to the end of the day: what
 * members hold). Kinds → buckets (domain/reports/stats.ts): issued = accrual + activation (points that became available;
 * pending points count when activated), redeemed = redemption + redemption_void (≤ 0 unless codes came back),
 * expired = expiry, clawed_back = clawback + reversal, adjusted = adjustment.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const bounds = parseInput(Query, req.query, "query")
  res.json(await req.scope.resolve<LoyaltyStatsService>("loyaltyStatsService").activity(bounds, new Date()))
})

export const openapi: RouteDocs = {
  GET: {
    summary: "Points issued, redeemed, expired, clawed back and adjusted per day, with the outstanding points",
    description: "Signed sums per UTC day (zero-filled); `to` defaults to today, `from` to 29 days before `to`; at most 366 days, `from` ≤ `to`.",
    query: Query,
    response: ActivityResponse,
  },
}
