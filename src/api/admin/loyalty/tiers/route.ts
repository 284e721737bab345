import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyTierService from "../../../../services/loyalty-tier"
import { route } from "../../../_shared/handler"
import type { RouteDocs } from "../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../_shared/validate"

/**
 * GET /admin/loyalty/tiers → the ladder by rank with each tier's Medusa customer group (null until the first member
 * reaches it or the tiers job ran) and its number of members: `{ tiers: [{ code, name, rank, threshold,
 * customer_group_id, member_count }] }`.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ tiers: await req.scope.resolve<LoyaltyTierService>("loyaltyTierService").summary() })
})

const TierSummary = z.strictObject({
  code: z.string(),
  name: z.string(),
  rank: z.number().int(),
  threshold: z.number().int().nullable(),
  customer_group_id: z.string().nullable(),
  member_count: z.number().int(),
})

export const openapi: RouteDocs = {
  GET: { summary: "The tier ladder by rank, with each tier's customer group and member count", query: NoQuery, response: z.strictObject({ tiers: z.array(TierSummary) }) },
}
