import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import { OrderInput, SimulationInput } from "../../../../domain/simulation"
import type LoyaltyRulesAdminService from "../../../../services/loyalty-rules-admin"
import { route } from "../../../_shared/handler"
import { NoQuery, parseInput } from "../../../_shared/validate"

const ByOrder = z.object({ order_id: z.string().min(1) }).strict()
const ByFacts = SimulationInput.extend({ order: OrderInput }) // facts mode needs at least `order`

/**
 * POST /admin/loyalty/simulate { order_id } | { order, customer?, member? } → { points, amount_points, bonus_points,
 * rule_names, contributions, rulebook_version, tier?, promotions?, … }: the live rulebook's verdict; writes nothing.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const raw = (req.body ?? {}) as Record<string, unknown>
  const input = "order_id" in raw ? parseInput(ByOrder, raw, "body") : parseInput(ByFacts, raw, "body")
  res.json(await req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService").simulate(input))
})
