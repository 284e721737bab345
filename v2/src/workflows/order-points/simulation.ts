/** POST /admin/loyalty/simulate: the live or a candidate rulebook's verdict on an order, stored or described; writes nothing. */
import { z } from "zod"
import { LoyaltyError, LoyaltyErrorCodes } from "../../core/domain/shared/errors"
import { parseInput } from "../../core/domain/http/request-input"
import { simulationView } from "../../core/domain/http/rules-admin"
import { OrderInput, simulate, SimulationInput } from "../../core/domain/reports/simulation"
import type { Rulebook } from "../../core/domain/rules/rulebook"
import { loyaltyOf, type Resolver } from "../../lib/container"
import { accrualFacts, loadOrderForLoyalty } from "./order-facts"

const ByOrder = z.object({ order_id: z.string().min(1) }).strict()
const ByFacts = SimulationInput.extend({ order: OrderInput })

/**
 * `{ order_id }` (a stored order with its member's account) or `{ order, customer?, member? }` (facts as given).
 * The body is read here, after the rulebook: without a live rulebook the answer is RULES_UNAVAILABLE whatever the body.
 * `candidate`: compiled candidate files (the core's simulationCandidate), evaluated instead of the live rulebook.
 */
export async function simulateAccrual(scope: Resolver, body: Record<string, unknown>, candidate?: Rulebook) {
  const rulebook = candidate ?? loyaltyOf(scope).getRulebook()
  const input = "order_id" in body ? await inputOfOrder(scope, parseInput(ByOrder, body, "body").order_id) : parseInput(ByFacts, body, "body")
  return simulationView(rulebook, await simulate(rulebook, input))
}

/** The simulation input of a stored order: its facts and its customer's with their account's figures (none: zero). */
async function inputOfOrder(scope: Resolver, order_id: string): Promise<z.output<typeof SimulationInput>> {
  const order = await loadOrderForLoyalty(scope, order_id)
  if (!order) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Order with id ${order_id} was not found`)
  if (!order.customer) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Order ${order_id} has no customer`, { order_id })
  const account = (await loyaltyOf(scope).findAccount(order.customer.id)) ?? { points_balance: 0, points_lifetime: 0, tier: null }
  const facts = accrualFacts(order, account)
  // The core's facts are what the schema parses to, less its defaults (no member figures): the simulation reads them as is.
  return { order: facts.order, customer: facts.customer } as unknown as z.output<typeof SimulationInput>
}
