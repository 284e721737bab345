import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyTierService from "../../../../services/loyalty-tier"
import { route } from "../../../_shared/handler"
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
