import { createStep, createWorkflow, StepResponse, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { activationDecision, activationEntryDraft, type ActivationFacts } from "../../core/domain/ledger/activation"
import { expiryDue, expiryEntryDraft } from "../../core/domain/ledger/expiry"
import { orderLedgerState } from "../../core/domain/ledger/order-ledger"
import { memberContextOf } from "../members/member-facts"
import { LOYALTY_MODULE } from "../../modules/loyalty"
import type LoyaltyModuleService from "../../modules/loyalty/service"
import type { TierChangeEvent, TierReevaluation } from "../../modules/loyalty/types"
import { emitTierChangesStep } from "../tiers/events"
import { syncTierGroupsStep } from "../tiers/workflows"
import { EntryKeys } from "../../core/domain/ledger/entry-keys"

/**
 * The periodic jobs' writes (expiry, activation, tier re-evaluation), one member or order per workflow run, so one
 * failure neither rolls back nor blocks the others. Decisions are the core's (expiryDue, activationDecision,
 * recomputeTier); every entry goes through the module's postUnderLock (row lock, idempotency key checked under it).
 * `now` travels as an ISO string (workflow inputs are serialized).
 */


type Loyalty = LoyaltyModuleService
const loyaltyOf = (container: { resolve<T>(key: string): T }) => container.resolve<Loyalty>(LOYALTY_MODULE)

async function compensate(posted: string[] | undefined, { container }: { container: { resolve<T>(k: string): T } }) {
  const loyalty = loyaltyOf(container)
  for (const id of posted ?? []) await loyalty.compensateEntry(id)
}

export type ExpireAccountInput = { customer_id: string; now: string; after_months: number }
export type ExpireAccountOutcome = { points: number; entry_id: string | null; replayed: boolean }

/**
 * The member's points older than `after_months` that are still unspent, first in first out (the core's expiryDue
 * over every movement of the account, read under its lock), posted as one `expiry` entry (floor stop_at_zero).
 */
export const expireAccountStep = createStep(
  "loyalty-expire-account",
  async ({ customer_id, now, after_months }: ExpireAccountInput, { container }) => {
    const at = new Date(now)
    const key = EntryKeys.expiry(customer_id, at)
    const posted = await loyaltyOf(container).postUnderLock(customer_id, key, async ({ accountEntries }) => {
      const movements = (await accountEntries()).map((e) => ({ points: e.points, kind: e.kind, created_at: new Date(e.created_at) }))
      const due = expiryDue(movements, at, after_months)
      if (due <= 0) return null
      return expiryEntryDraft({ customer_id, idempotency_key: key, due_points: due, now: at, after_months })
    })
    const fresh = !!posted.entry && !posted.replayed
    return new StepResponse<ExpireAccountOutcome, string[]>(
      { points: fresh ? -posted.entry!.points : 0, entry_id: posted.entry?.id ?? null, replayed: posted.replayed },
      fresh ? [posted.entry!.id] : []
    )
  },
  compensate
)

export const expireAccountWorkflow = createWorkflow("loyalty-expire-account", (input: ExpireAccountInput) => {
  // Expiry never moves lifetime points: no tier change, no group sync.
  return new WorkflowResponse(expireAccountStep(input))
})

/**
 * The order's side of activation, read through Query (the module cannot read order tables): when it went out, when it
 * was captured.
 */
export type OrderActivationSide = { status: string; gone_out_at: string | null; captured_at: string | null }

export type ActivateOrderInput = {
  order_id: string
  customer_id: string
  now: string
  /** What the accrual was awarded under (null: an accrual that did not store it; today's program then applies). */
  pending_days: number | null
  spendable_on: string | null
  order: OrderActivationSide
}
export type ActivateOrderOutcome = { points: number; waiting_for: string | null; customer_id: string; tier_changes: TierChangeEvent[] }

/**
 * An order's pending points become available once what they wait for holds (the core's activationDecision over
 * the conditions stored on the accrual): the amount still pending (earned minus what cancels and refunds took out
 * of pending), once, under `order:{id}:activation`. A canceled order's pending points were taken back by its
 * reversal: nothing is activated.
 */
export const activateOrderStep = createStep(
  "loyalty-activate-order",
  async (input: ActivateOrderInput, { container }) => {
    const loyalty = loyaltyOf(container)
    const now = new Date(input.now)
    const program = loyalty.getRulebook().program
    const facts: ActivationFacts = {
      pending_days: input.pending_days ?? program.pending_days,
      spendable_on: input.spendable_on === "captured" ? "captured" : "placed",
      gone_out_at: input.order.gone_out_at ? new Date(input.order.gone_out_at) : null,
      captured_at: input.order.captured_at ? new Date(input.order.captured_at) : null,
    }
    const decision = activationDecision(facts, now)
    const none = (waiting_for: string | null) =>
      new StepResponse<ActivateOrderOutcome, string[]>({ points: 0, waiting_for, customer_id: input.customer_id, tier_changes: [] }, [])
    if (input.order.status === "canceled") return none("canceled")
    if (!decision.due) return none(decision.waiting_for)
    const key = EntryKeys.activation(input.order_id)
    const posted = await loyalty.postUnderLock(input.customer_id, key, ({ orderEntries }) => {
      const state = orderLedgerState(orderEntries)
      const remaining = state.earned_points - state.clawed_points
      if (!state.pending || state.canceled || remaining <= 0) return null
      return activationEntryDraft({
        customer_id: input.customer_id, idempotency_key: key, points: remaining, facts, eligible_since: decision.eligible_since, order_id: input.order_id,
      })
    }, input.order_id, () => memberContextOf(container, input.customer_id, now))
    const fresh = !!posted.entry && !posted.replayed
    return new StepResponse<ActivateOrderOutcome, string[]>(
      { points: fresh ? posted.entry!.points : 0, waiting_for: null, customer_id: input.customer_id, tier_changes: posted.tier_changes ?? [] },
      fresh ? [posted.entry!.id] : []
    )
  },
  compensate
)

export const activateOrderWorkflow = createWorkflow("loyalty-activate-order", (input: ActivateOrderInput) => {
  const activation = activateOrderStep(input)
  // Activation moves lifetime points: the tier may change, and the groups follow.
  syncTierGroupsStep(transform({ activation }, ({ activation }) => ({ customer_id: activation.points > 0 ? activation.customer_id : null })))
  emitTierChangesStep(transform({ activation }, ({ activation }) => ({ changes: activation.tier_changes })))
  return new WorkflowResponse(activation)
})

export type ReevaluateTierInput = { customer_id: string; now: string }

/** The daily re-evaluation of one member's tier as of `now` (window facts, grace periods), under the account lock. */
export const reevaluateTierStep = createStep(
  "loyalty-reevaluate-tier",
  async ({ customer_id, now }: ReevaluateTierInput, { container }) => {
    const at = new Date(now)
    const result = await loyaltyOf(container).reevaluateTier(customer_id, at, () => memberContextOf(container, customer_id, at))
    return new StepResponse<TierReevaluation | null>(result)
  }
  // No compensation: the decision is recorded with its own history row; a later run decides again.
)

export const reevaluateTierWorkflow = createWorkflow("loyalty-reevaluate-tier", (input: ReevaluateTierInput) => {
  const result = reevaluateTierStep(input)
  // Groups are repaired on every run (members enrolled before the tiers existed, groups edited by hand).
  syncTierGroupsStep(transform({ input }, ({ input }) => ({ customer_id: input.customer_id })))
  emitTierChangesStep(transform({ result }, ({ result }) => ({ changes: result?.tier_change ? [result.tier_change] : [] })))
  return new WorkflowResponse(result)
})
