import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { LoyaltyError, LoyaltyErrorCodes } from "../../../../core/domain/shared/errors"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { simulationView } from "../../../../core/domain/http/rules-admin"
import { OrderInput, simulate, SimulationInput } from "../../../../core/domain/reports/simulation"
import { loyaltyOf, route } from "../../../../lib/http"
import { accrualFacts, loadOrderForLoyalty } from "../../../../workflows/order-points/order-facts"

const ByOrder = z.object({ order_id: z.string().min(1) }).strict()
const ByFacts = SimulationInput.extend({ order: OrderInput })

/** POST /admin/loyalty/simulate { order_id } | { order, customer?, member? } → the live rulebook's verdict; writes nothing. */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const raw = (req.body ?? {}) as Record<string, unknown>
  const loyalty = loyaltyOf(req)
  const rulebook = loyalty.getRulebook()
  let input: z.output<typeof SimulationInput>
  if ("order_id" in raw) {
    const { order_id } = parseInput(ByOrder, raw, "body")
    const order = await loadOrderForLoyalty(req.scope, order_id)
    if (!order) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Order with id ${order_id} was not found`)
    if (!order.customer) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Order ${order_id} has no customer`, { order_id })
    const account = (await loyalty.findAccount(order.customer.id)) ?? { points_balance: 0, points_lifetime: 0, tier: null }
    const facts = accrualFacts(order, account)
    input = { order: facts.order, customer: facts.customer } as unknown as z.output<typeof SimulationInput>
  } else {
    input = parseInput(ByFacts, raw, "body")
  }
  res.json(simulationView(rulebook, await simulate(rulebook, input)))
})
