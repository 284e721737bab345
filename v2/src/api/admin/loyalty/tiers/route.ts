import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { route } from "../../../../lib/http"
import { tierOverview } from "../../../../workflows/tiers/overview"
import { TierSummary } from "../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../core/domain/http/route-docs"

/**
 * GET /admin/loyalty/tiers → the ladder by rank with each tier's customer group (null until the first member reaches
 * it) and its number of members, the public shape (docs/api.md): `{ tiers: [{ code, name, rank, threshold,
 * customer_group_id, member_count }] }`.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ tiers: await tierOverview(req.scope) })
})

export const openapi: RouteDocs = {
  GET: { summary: "The tier ladder by rank, with each tier's customer group and member count", query: NoQuery, response: z.strictObject({ tiers: z.array(TierSummary) }) },
}
