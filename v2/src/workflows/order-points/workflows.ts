import type { MedusaContainer } from "@medusajs/framework/types"
import { createStep, createWorkflow, StepResponse, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { evaluateAccrual } from "../../core/domain/program/accrual"
import { accrualEntryDraft, clawbackDecision, orderLedgerState, reversalEntryDraft } from "../../core/domain/ledger/order-ledger"
import { accruesPending } from "../../core/domain/rules/program"
import { memberContextSource } from "../members/member-facts"
import { accrualFacts, loadOrderForLoyalty, refundsOfOrder } from "./order-facts"
import { LOYALTY_MODULE } from "../../modules/loyalty"
import type LoyaltyModuleService from "../../modules/loyalty/service"
import type { EntryRow, TierChangeEvent } from "../../modules/loyalty/types"
import { emitTierChangesStep } from "../tiers/events"
import { syncTierGroupsStep } from "../tiers/workflows"
import { EntryKeys } from "../../core/domain/ledger/entry-keys"
import { groupsStayAfterPosting } from "../../core/domain/program/member-inputs"
import type { Rulebook } from "../../core/domain/rules/rulebook"
import { promotionsOf } from "../../lib/container"

/** What one order step did: entries it appended (compensation undoes exactly these), or why it wrote nothing. */
export type OrderPointsOutcome = {
  /** The member's customer groups need no sync after this step (see groupsStay). */
  groups_stay?: boolean
  /** The accrual's order has refunds recorded: the accrual sweeps them (clawbackRefundsStep). */
  refunded?: boolean
  status: "posted" | "replayed" | "skipped"
  reason?: "guest" | "canceled" | "nothing_earned" | "not_found" | "not_accrued_yet"
  entries: Array<Pick<EntryRow, "id" | "kind" | "points" | "pending_delta" | "idempotency_key">>
  /** The member the order belongs to (null for a guest or unknown order): whose tier groups follow. */
  customer_id?: string | null
  /** Tier changes the postings made (loyalty.tier_changed, emitted once the workflow has succeeded). */
  tier_changes?: TierChangeEvent[]
}

const pick = (e: EntryRow) => ({ id: e.id, kind: e.kind, points: e.points, pending_delta: e.pending_delta, idempotency_key: e.idempotency_key })

/** Undo for a workflow rollback: a counter-entry per entry this step appended (the ledger stays append-only). */
async function compensate(posted: string[] | undefined, { container }: { container: { resolve<T>(k: string): T } }) {
  const loyalty = container.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
  for (const id of posted ?? []) {
    const entry = await loyalty.findEntry(id)
    if (entry) await loyalty.compensateEntry(id, memberContextSource(container, entry.customer_id))
  }
}

/**
 * order.placed → the order's points, once: the core's evaluateAccrual over the order's facts (order-facts.ts) and
 * the member's account as locked for the posting. Guest and canceled orders earn nothing; a cancel handled first
 * left a tombstone that keeps this from awarding. `key_checked`: the caller has just looked the accrual's key up and
 * found nothing (accrueOrder), so the step does not look again before reading the order (the locked posting still
 * checks it under the lock).
 */
export const accrueOrderStep = createStep(
  "loyalty-accrue-order",
  async (input: { order_id: string; key_checked?: boolean }, { container }) => {
    const { outcome, appended } = await awardOrderAccrual(container, input)
    return new StepResponse<OrderPointsOutcome, string[]>(outcome, appended)
  },
  compensate
)

/**
 * The accrual step's work (accrueOrderStep, and accrueOrder without the engine): what it did, and the ids of the
 * entries it appended (what a compensation takes back).
 */
async function awardOrderAccrual(
  container: MedusaContainer,
  { order_id, key_checked }: { order_id: string; key_checked?: boolean }
): Promise<{ outcome: OrderPointsOutcome; appended: string[] }> {
  const loyalty = container.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
  const key = EntryKeys.accrual(order_id)
  const skipped = (reason: OrderPointsOutcome["reason"], more: Partial<OrderPointsOutcome> = {}) => ({ outcome: { status: "skipped" as const, reason, entries: [], ...more }, appended: [] })
  const stored = key_checked ? null : await loyalty.findEntryByKey(key)
  if (stored) return { outcome: replayedAccrual(stored), appended: [] }
  const order = await loadOrderForLoyalty(container, order_id)
  if (!order) return skipped("not_found")
  if (order.status === "canceled") return skipped("canceled")
  if (!order.customer?.has_account) return skipped("guest")
  const rulebook = loyalty.getRulebook()
  const customer_id = order.customer.id
  // The account is opened (with the base tier) by the posting when missing; the facts see it as locked.
  const posted = await loyalty.postUnderLock(customer_id, key, ({ account, orderEntries }) => {
    if (orderLedgerState(orderEntries).canceled) return null
    const facts = accrualFacts(order, account)
    const result = evaluateAccrual(rulebook, facts)
    const { pending_days, spendable_on } = rulebook.program
    // spendable_on "captured": pending until payment.captured activates it, unless the capture came first.
    const pending = accruesPending(rulebook.program, order.captured)
    return accrualEntryDraft({ customer_id, order_id, idempotency_key: key, rulebook_version: rulebook.version, result, order_total_minor: order.total_minor, pending, pending_days, spendable_on, facts })
  }, order_id, memberContextSource(container, customer_id))
  const tier_changes = posted.tier_changes ?? []
  const groups_stay = groupsStay(rulebook, tier_changes)
  if (!posted.entry) return skipped("canceled", { customer_id, tier_changes, groups_stay })
  if (posted.replayed) return { outcome: replayedAccrual(posted.entry), appended: [] }
  return {
    outcome: { status: "posted", entries: [pick(posted.entry)], customer_id, tier_changes, groups_stay, refunded: order.refunded },
    appended: [posted.entry.id],
  }
}

/** An accrual already stored: nothing was written, so nothing follows (no sweep, no group sync, no event). */
const replayedAccrual = (stored: EntryRow): OrderPointsOutcome => ({ status: "replayed", entries: [pick(stored)], customer_id: stored.customer_id, groups_stay: true })

/** Whether the member's customer groups can stay as they are after postings that made `tier_changes` (the core's rule). */
const groupsStay = (rulebook: Rulebook, tier_changes: TierChangeEvent[]): boolean => groupsStayAfterPosting(rulebook, tier_changes.length > 0)

/**
 * order.canceled → everything the order earned, net of earlier clawbacks, taken back once. Before the accrual it
 * writes a 0-point reversal: a tombstone that keeps a late order.placed from awarding.
 */
export const reverseOrderStep = createStep(
  "loyalty-reverse-order",
  async ({ order_id }: { order_id: string }, { container }) => {
    const loyalty = container.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
    const order = await loadOrderForLoyalty(container, order_id)
    if (!order?.customer?.has_account) return new StepResponse<OrderPointsOutcome, string[]>({ status: "skipped", reason: "guest", entries: [] }, [])
    const floor = loyalty.getRulebook().program.negative_balance
    const key = EntryKeys.reversal(order_id)
    const posted = await loyalty.postUnderLock(order.customer.id, key, ({ orderEntries }) =>
      reversalEntryDraft({ customer_id: order.customer!.id, order_id, state: orderLedgerState(orderEntries), floor })
    , order_id, memberContextSource(container, order.customer.id))
    const entry = posted.entry!
    const tier_changes = posted.tier_changes ?? []
    return new StepResponse<OrderPointsOutcome, string[]>(
      { status: posted.replayed ? "replayed" : "posted", entries: [pick(entry)], customer_id: order.customer.id, tier_changes, groups_stay: groupsStay(loyalty.getRulebook(), tier_changes) },
      posted.replayed ? [] : [entry.id]
    )
  },
  compensate
)

/**
 * Refunds (payment.refunded, order.return_received, and the sweep after an accrual): each refund of the order not
 * clawed yet, oldest first, takes back its cumulative share of what the accrual earned, by the figures stored on the
 * accrual (the core's clawbackForRefund). Before the accrual exists nothing is written: the accrual sweeps them.
 */
export const clawbackRefundsStep = createStep(
  "loyalty-clawback-refunds",
  async ({ order_id, skip }: { order_id: string; skip?: boolean }, { container }) => {
    // The accrual's sweep when the accrual wrote nothing or the order has no refunds: nothing to claw back.
    if (skip) return new StepResponse<OrderPointsOutcome, string[]>({ status: "skipped", entries: [], groups_stay: true }, [])
    const loyalty = container.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
    const order = await loadOrderForLoyalty(container, order_id)
    if (!order?.customer?.has_account) return new StepResponse<OrderPointsOutcome, string[]>({ status: "skipped", reason: "guest", entries: [] }, [])
    const floor = loyalty.getRulebook().program.negative_balance
    const entries: OrderPointsOutcome["entries"] = []
    const appended: string[] = []
    const tier_changes: TierChangeEvent[] = []
    let waiting = false
    for (const refund of await refundsOfOrder(container, order_id)) {
      const key = EntryKeys.clawback(refund.id)
      const posted = await loyalty.postUnderLock(order.customer.id, key, ({ orderEntries }) => {
        const state = orderLedgerState(orderEntries)
        const facts = { id: refund.id, amount_minor: refund.amount_minor, reason: refund.note }
        const decision = clawbackDecision({ customer_id: order.customer!.id, order_id, state, refund: facts, floor })
        if (decision.action === "wait") waiting = true
        return decision.action === "post" ? decision.draft : null
      }, order_id, memberContextSource(container, order.customer.id))
      tier_changes.push(...(posted.tier_changes ?? []))
      if (posted.entry) {
        entries.push(pick(posted.entry))
        if (!posted.replayed) appended.push(posted.entry.id)
      }
    }
    const status = appended.length ? "posted" : entries.length ? "replayed" : "skipped"
    const groups_stay = groupsStay(loyalty.getRulebook(), tier_changes)
    return new StepResponse<OrderPointsOutcome, string[]>(
      { status, ...(status === "skipped" && waiting ? { reason: "not_accrued_yet" as const } : {}), entries, customer_id: order.customer.id, tier_changes, groups_stay },
      appended
    )
  },
  compensate
)

/**
 * The member whose tier groups follow an order step's postings: none for a guest or unknown order, nor when the
 * postings leave the groups as they are (groups_stay).
 */
const memberOf = (outcome: OrderPointsOutcome) =>
  transform({ outcome }, ({ outcome }) => ({ customer_id: outcome.groups_stay ? null : outcome.customer_id ?? null }))

const tierChangesOf = (outcome: OrderPointsOutcome) => transform({ outcome }, ({ outcome }) => ({ changes: outcome.tier_changes ?? [] }))

/** The refund sweep after an accrual: only a posted accrual of an order with refunds recorded has any to claw. */
const sweepAfter = (order_id: string, accrual: OrderPointsOutcome) => ({ order_id, skip: accrual.status !== "posted" || !accrual.refunded })

/** Whose tier groups follow the accrual and its sweep: none when both leave the groups as they are. */
const groupsAfter = (accrual: OrderPointsOutcome, refunds: OrderPointsOutcome) => ({
  customer_id: accrual.groups_stay && refunds.groups_stay ? null : accrual.customer_id ?? refunds.customer_id ?? null,
})

const tierChangesAfter = (accrual: OrderPointsOutcome, refunds: OrderPointsOutcome) => ({ changes: [...(accrual.tier_changes ?? []), ...(refunds.tier_changes ?? [])] })

export const accrueOrderWorkflow = createWorkflow("loyalty-accrue-order", (input: { order_id: string; key_checked?: boolean }) => {
  const accrual = accrueOrderStep(input)
  // Refunds handled before the accrual wrote nothing (nothing to claw from yet): sweep them now, when there are any.
  const refunds = clawbackRefundsStep(transform({ input, accrual }, ({ input, accrual }) => sweepAfter(input.order_id, accrual)))
    .config({ name: "loyalty-accrue-order-sweep-refunds" })
  const groups = syncTierGroupsStep(transform({ accrual, refunds }, ({ accrual, refunds }) => groupsAfter(accrual, refunds)))
  emitTierChangesStep(transform({ accrual, refunds }, ({ accrual, refunds }) => tierChangesAfter(accrual, refunds)))
  return new WorkflowResponse({ accrual, refunds, groups })
})

/**
 * What follows an accrual accrueOrder posted without the engine (the refund sweep, the tier groups, the tier
 * events), as accrueOrderWorkflow runs them after its accrual step.
 */
export const accrualFollowUpsWorkflow = createWorkflow("loyalty-accrual-follow-ups", (input: { order_id: string; accrual: OrderPointsOutcome }) => {
  const refunds = clawbackRefundsStep(transform({ input }, ({ input }) => sweepAfter(input.order_id, input.accrual)))
    .config({ name: "loyalty-accrual-follow-ups-sweep-refunds" })
  const groups = syncTierGroupsStep(transform({ input, refunds }, ({ input, refunds }) => groupsAfter(input.accrual, refunds)))
    .config({ name: "loyalty-accrual-follow-ups-groups" })
  emitTierChangesStep(transform({ input, refunds }, ({ input, refunds }) => tierChangesAfter(input.accrual, refunds)))
    .config({ name: "loyalty-accrual-follow-ups-tier-events" })
  return new WorkflowResponse({ refunds, groups })
})

const NO_SWEEP: OrderPointsOutcome = { status: "skipped", entries: [], groups_stay: true }

/**
 * Whether any follow-up has work after `accrual`, by the same decisions the workflows take (sweepAfter, groupsAfter,
 * tierChangesAfter; a sweep that runs may add its own): nothing to sweep, no groups to move and no event is most orders.
 */
const needsFollowUps = (order_id: string, accrual: OrderPointsOutcome) =>
  !sweepAfter(order_id, accrual).skip || groupsAfter(accrual, NO_SWEEP).customer_id !== null || tierChangesAfter(accrual, NO_SWEEP).changes.length > 0

/**
 * order.placed's entry point (the subscriber): a redelivery of an order already awarded costs one lookup of the
 * accrual's idempotency key, before the order is read; otherwise the accrual is posted as accrueOrderStep posts it
 * (the posting checks the key again under the member's lock, so a concurrent delivery still writes once), without
 * the workflow engine: its bookkeeping cost more CPU than the award, inside the checkout's response window (the
 * in-process event bus starts subscribers while the completion route still reads the order). Only an accrual that
 * needs a follow-up runs accrualFollowUpsWorkflow, and when that fails the entry is taken back as accrueOrderWorkflow's
 * compensation would. accrueOrderWorkflow stays for reconcile and callers' own flows.
 */
export async function accrueOrder(container: MedusaContainer, order_id: string) {
  const stored = await container.resolve<LoyaltyModuleService>(LOYALTY_MODULE).findEntryByKey(EntryKeys.accrual(order_id))
  if (stored) return { accrual: replayedAccrual(stored), refunds: NO_SWEEP, groups: null }
  const { outcome: accrual, appended } = await awardOrderAccrual(container, { order_id, key_checked: true })
  if (!needsFollowUps(order_id, accrual)) return { accrual, refunds: NO_SWEEP, groups: null }
  try {
    const { result } = await accrualFollowUpsWorkflow(container).run({ input: { order_id, accrual } })
    return { accrual, ...result }
  } catch (e) {
    await compensate(appended, { container })
    throw e
  }
}

/**
 * After a cancel or a refund's clawback took points (negative_balance "allow" lets the balance go below zero): the
 * member's unused codes give their points back, newest first, while the locked balance is negative (the module's
 * voidUnusedWhileNegative, the core's negativeBalanceVoidDraft), and their v2 promotions are switched off.
 */
export const voidCodesWhileNegativeStep = createStep(
  "loyalty-void-codes-while-negative",
  async (outcome: OrderPointsOutcome, { container }) => {
    const took = outcome.status === "posted" && !!outcome.customer_id && outcome.entries.some((e) => e.points < 0)
    if (!took) return new StepResponse<string[]>([])
    const voided = await container.resolve<LoyaltyModuleService>(LOYALTY_MODULE).voidUnusedWhileNegative(outcome.customer_id!, new Date())
    for (const r of voided) if (r.promotion_id) await promotionsOf(container).updatePromotions({ id: r.promotion_id, status: "inactive" })
    return new StepResponse<string[]>(voided.map((r) => r.id))
  }
)

export const reverseOrderWorkflow = createWorkflow("loyalty-reverse-order", (input: { order_id: string }) => {
  const reversal = reverseOrderStep(input)
  voidCodesWhileNegativeStep(reversal)
  syncTierGroupsStep(memberOf(reversal))
  emitTierChangesStep(tierChangesOf(reversal))
  return new WorkflowResponse(reversal)
})

export const clawbackRefundsWorkflow = createWorkflow("loyalty-clawback-refunds", (input: { order_id: string }) => {
  const clawbacks = clawbackRefundsStep(input)
  voidCodesWhileNegativeStep(clawbacks)
  syncTierGroupsStep(memberOf(clawbacks))
  emitTierChangesStep(tierChangesOf(clawbacks))
  return new WorkflowResponse(clawbacks)
})
