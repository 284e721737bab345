import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import { ActionInput, MemberInput, OrderInput, SimulationInput } from "../../../../domain/reports/simulation"
import type LoyaltyRulesAdminService from "../../../../services/loyalty-rules-admin"
import { route } from "../../../_shared/handler"
import { AccrualFacts, Contribution, TierRef } from "../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../_shared/validate"

const ByOrder = z.object({ order_id: z.string().min(1) }).strict()
const ByFacts = SimulationInput.extend({ order: OrderInput }) // facts mode needs at least `order`
const ByAction = z
  .object({
    action: ActionInput.meta({ description: "the earning action: type, reference, occurred_at, properties, earlier_awards (for limits)" }),
    member: MemberInput.optional().meta({ description: "the member's facts (missing ones defaulted)" }),
    customer_id: z.string().min(1).max(100).optional().meta({ description: "a stored member: their facts now and their recorded awards replace member and earlier_awards" }),
  })
  .strict()

/**
 * POST /admin/loyalty/simulate { action, member?, customer_id? } → { points, rule_names, contributions, refused, … }: an
 * earning action's verdict.
 * POST /admin/loyalty/simulate { order_id } | { order, customer?, member? } → { points, amount_points, bonus_points,
 * rule_names, contributions, rulebook_version, tier?, promotions?, … }: the live rulebook's verdict; writes nothing.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const raw = (req.body ?? {}) as Record<string, unknown>
  const service = req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService")
  if ("action" in raw) {
    res.json(await service.simulateAction(parseInput(ByAction, raw, "body")))
    return
  }
  const input = "order_id" in raw ? parseInput(ByOrder, raw, "body") : parseInput(ByFacts, raw, "body")
  res.json(await service.simulate(input))
})

const Simulation = z.strictObject({
  points: z.number().int(),
  amount_points: z.number().int(),
  bonus_points: z.number().int(),
  multiplier_bp: z.number().int(),
  rule_names: z.array(z.string()),
  contributions: z.array(Contribution),
  pending: z.boolean(),
  rulebook_version: z.string(),
  tier: TierRef.nullable().optional().meta({ description: "present with a tiers file" }),
  promotions: z.array(z.string()).optional().meta({ description: "codes the member would be eligible for; present with promotions files" }),
  facts: AccrualFacts,
})

const ActionSimulation = z.strictObject({
  points: z.number().int(),
  rule_names: z.array(z.string()),
  contributions: z.array(z.strictObject({ rule: z.string(), points: z.number().int() })),
  refused: z.array(z.strictObject({ rule: z.string(), limit: z.string(), max: z.number().int(), period: z.string(), message: z.string() })),
  rulebook_version: z.string(),
  facts: z.strictObject({ action: z.record(z.string(), z.unknown()) }),
}).meta({ id: "ActionSimulation" })

export const openapi: RouteDocs = {
  POST: {
    summary: "Simulate an accrual (a stored order, or facts) or an earning action (`action`) with the live rulebook; writes nothing",
    query: NoQuery,
    // The handler picks one by the presence of `order_id`.
    body: z.union([ByOrder, ByFacts, ByAction]),
    response: z.union([Simulation, ActionSimulation]),
    errors: [Refusals.notFound("no order with that order_id (Medusa's own not_found, without a code)"), Refusals.rulesUnavailable],
  },
}
