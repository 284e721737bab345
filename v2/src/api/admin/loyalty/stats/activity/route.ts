import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ActivityQuery, ActivityResponse } from "../../../../../core/domain/http/reports"
import { parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { activityStats } from "../../../../../workflows/reports/stats"
import type { RouteDocs } from "../../../../../core/domain/http/route-docs"

/**
 * GET /admin/loyalty/stats/activity?from=YYYY-MM-DD&to=YYYY-MM-DD → { from, to, days: [{ date, issued_points,
 * redeemed_points, expired_points, clawed_back_points, adjusted_points, outstanding_points }] } (docs/api.md): one
 * row per UTC day, zero-filled, oldest first; `to` defaults to today, `from` to 29 days before; at most 366 days.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const bounds = parseInput(ActivityQuery, req.query, "query")
  res.json(await activityStats(req.scope, bounds, new Date()))
})

export const openapi: RouteDocs = {
  GET: {
    summary: "Points issued, redeemed, expired, clawed back and adjusted per day, with the outstanding points",
    description: "Signed sums per UTC day (zero-filled); `to` defaults to today, `from` to 29 days before `to`; at most 366 days, `from` ≤ `to`.",
    query: ActivityQuery,
    response: ActivityResponse,
  },
}
