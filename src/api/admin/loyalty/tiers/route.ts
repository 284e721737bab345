import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyTierService from "../../../../services/loyalty-tier"
import { route } from "../../../_shared/handler"
import { TierSummary } from "../../../_shared/response-schemas"
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


export const openapi: RouteDocs = {
  GET: { summary: "The tier ladder by rank, with each tier's customer group and member count", query: NoQuery, response: z.strictObject({ tiers: z.array(TierSummary) }) },
}
