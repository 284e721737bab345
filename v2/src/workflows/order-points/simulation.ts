/** POST /admin/loyalty/simulate: the live or a candidate rulebook's verdict on an order, stored or described; writes nothing. */
import { z } from "zod"
import { LoyaltyError, LoyaltyErrorCodes } from "../../core/domain/shared/errors"
import { parseInput, SimulateByAction } from "../../core/domain/http/request-input"
import { actionSimulationView, simulationView } from "../../core/domain/http/rules-admin"
import { OrderInput, simulate, simulateAction, SimulationInput, type MemberInput } from "../../core/domain/reports/simulation"
import type { Rulebook } from "../../core/domain/rules/rulebook"
import { loyaltyOf, queryOf, type Resolver } from "../../lib/container"
import { memberContextOf } from "../members/member-facts"
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
  if ("action" in body) return await simulateActionOf(scope, parseInput(SimulateByAction, body, "body"), rulebook)
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

/**
 * `{ action, member?, customer_id? }`: an earning action's verdict. A stored member (`customer_id`) is evaluated with
 * their facts now and their recorded awards, so a limit they have reached refuses it as the store would.
 */
async function simulateActionOf(scope: Resolver, input: z.output<typeof SimulateByAction>, rulebook: Rulebook) {
  let { action, member } = input
  if (input.customer_id) {
    const { customer_id } = input
    const { data } = await queryOf(scope).graph({ entity: "customer", fields: ["id"], filters: { id: customer_id } })
    if (!data[0]) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Customer ${customer_id} was not found`, { customer_id })
    const loyalty = loyaltyOf(scope)
    member = (await loyalty.memberFacts(customer_id, await memberContextOf(scope, customer_id))) as MemberInput
    action = { ...action, earlier_awards: (await loyalty.pastAwards(customer_id)).map((a) => ({ occurred_at: a.occurred_at, rule_names: [...a.rule_names] })) }
  }
  return actionSimulationView(rulebook, action, simulateAction(rulebook, action, member))
}
