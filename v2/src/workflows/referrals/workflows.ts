import type { MedusaContainer } from "@medusajs/framework/types"
import { generateEntityId, Modules } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { actionFacts, actionPayloadHash, evaluateAction } from "../../core/domain/program/action"
import { actionDecision, actionReversalEntryDraft } from "../../core/domain/ledger/action"
import { activationDecision, activationEntryDraft, type ActivationFacts, type PendingAwardTerms } from "../../core/domain/ledger/activation"
import { EntryKeys } from "../../core/domain/ledger/entry-keys"
import { referralAwards, referralReference, referralReversalKey, REFERRAL_ROLES, type ReferralAward } from "../../core/domain/program/referral"
import { accruesPending } from "../../core/domain/rules/program"
import { loyaltyOf, queryOf, type Resolver } from "../../lib/container"
import type { EntryRow, TierChangeEvent } from "../../modules/loyalty/types"
import { memberContextOf, memberContextSource } from "../members/member-facts"
import { POINTS_EARNED_EVENT, type ActionOutcome } from "../actions/workflows"
import { emitTierChangesStep } from "../tiers/events"
import { syncTierGroupsStep } from "../tiers/workflows"

/**
 * Referral awards: the referred member's first order earns both sides the `referral` action's points (the core's
 * referralAwards, then evaluateAction and actionDecision: each side is a `loyalty_action` row and its `action` entry,
 * recorded by the module's reportActionUnderLock as every earning action), and canceling that order takes them back
 * (the core's actionReversalEntryDraft). Every entry goes through the module's postUnderLock under the keys
 * EntryKeys.action / EntryKeys.actionReversal, so redeliveries replay; a later failing step compensates with
 * counter-entries. Events (loyalty.points_earned, loyalty.points_reversed) are released when the workflow succeeds.
 */

/** A referral award taken back: { customer_id, entry_id, action_id, order_id, role, points, pending_points } (docs/ledger.md#events). */
export const POINTS_REVERSED_EVENT = "loyalty.points_reversed"

export type ReferralOutcome = {
  entries: Array<Pick<EntryRow, "id" | "customer_id" | "points" | "pending_delta" | "idempotency_key">>
  /** The members whose tier groups follow (referrer, referred). */
  customer_ids: string[]
  /** How many of `entries` this run appended (the others were replays). */
  posted: number
  /** The public events of what this run appended. */
  events: Array<{ name: string; data: Record<string, unknown> }>
  tier_changes: TierChangeEvent[]
}

const NOTHING: ReferralOutcome = { entries: [], customer_ids: [], posted: 0, events: [], tier_changes: [] }
const pick = (e: EntryRow) => ({ id: e.id, customer_id: e.customer_id, points: e.points, pending_delta: e.pending_delta, idempotency_key: e.idempotency_key })

async function compensate(posted: string[] | undefined, { container }: { container: Resolver }) {
  const loyalty = loyaltyOf(container)
  for (const id of posted ?? []) {
    const entry = await loyalty.findEntry(id)
    if (entry) await loyalty.compensateEntry(id, memberContextSource(container, entry.customer_id))
  }
}

/** The order as the referral decision reads it: its customer, status, time, and that customer's first order. */
async function firstOrderFacts(scope: Resolver, order_id: string) {
  const query = queryOf(scope)
  const { data: [order] } = await query.graph({ entity: "order", fields: ["id", "status", "created_at", "customer_id"], filters: { id: order_id } })
  if (!order?.customer_id) return null
  const { data: orders } = await query.graph({ entity: "order", fields: ["id", "created_at", "is_draft_order"], filters: { customer_id: order.customer_id } })
  const first = orders
    .filter((o: any) => o.is_draft_order !== true)
    .sort((a: any, b: any) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0]
  return { order, first_order_id: (first?.id as string | undefined) ?? null }
}

async function isMember(scope: Resolver, customer_id: string): Promise<boolean> {
  const { data } = await queryOf(scope).graph({ entity: "customer", fields: ["id", "has_account"], filters: { id: customer_id } })
  return data[0]?.has_account === true
}

/**
 * One side's award, recorded as a `referral` action under that member's lock (limits counted from their recorded
 * awards). The same report again replays; the same reference with other data is IDEMPOTENCY_CONFLICT. Reports of one
 * reference racing for two members meet at the unique index: the loser is tried once more so it answers the replay.
 */
async function postAward(scope: Resolver, award: ReferralAward, now: Date): Promise<ActionOutcome> {
  const loyalty = loyaltyOf(scope)
  const rulebook = loyalty.getRulebook()
  const { customer_id, type, reference, occurred_at, properties } = award
  const payload_hash = actionPayloadHash({ customer_id, type, reference, occurred_at, properties })
  const context = await memberContextOf(scope, customer_id, now)
  const report = () =>
    loyalty.reportActionUnderLock({ customer_id, type, reference, payload_hash, now, context }, ({ facts: member, past }) => {
      const action_id = generateEntityId(undefined, "lact")
      const facts = { action: actionFacts(award, rulebook.program.timezone), member }
      const result = evaluateAction(rulebook, facts, past)
      const decision = actionDecision({ action: award, action_id, result, facts })
      const action = {
        id: action_id, customer_id, type, reference, occurred_at: new Date(facts.action.occurred_at), properties, payload_hash,
        status: decision.status, points: result.points, rule_names: result.rule_names, rulebook_version: rulebook.version,
        reasons: decision.reasons, entry_id: null, actor_id: null,
      }
      return { draft: decision.draft, action }
    }, memberContextSource(scope, customer_id))
  try {
    return await report()
  } catch (e) {
    if ((e as { code?: unknown })?.code !== "23505") throw e
    return await report()
  }
}

/** order.placed → both sides' referral awards when it is the referred member's first order (once each, ever). */
export const awardReferralStep = createStep(
  "loyalty-award-referral",
  async ({ order_id }: { order_id: string }, { container }) => {
    const loyalty = loyaltyOf(container)
    const rulebook = loyalty.getRulebook()
    if (rulebook.actions.length === 0) return new StepResponse<ReferralOutcome, string[]>(NOTHING, [])
    const found = await firstOrderFacts(container, order_id)
    const referral = found && (await loyalty.findReferral(found.order.customer_id))
    if (!found || !referral) return new StepResponse<ReferralOutcome, string[]>(NOTHING, [])
    const { program } = rulebook
    // The awards wait like the order's own points; a capture is never known at placement in v2 (as the accrual).
    const pending = accruesPending(program, false) ? { pending_days: program.pending_days, spendable_on: program.spendable_on } : null
    const awards = referralAwards({
      order_id, order_status: found.order.status, order_created_at: found.order.created_at, first_order_id: found.first_order_id,
      referred_id: found.order.customer_id, referrer_id: referral.referrer_id, referrer_is_member: await isMember(container, referral.referrer_id),
      has_action_rules: true, pending,
    })
    const outcome: ReferralOutcome = { entries: [], customer_ids: [], posted: 0, events: [], tier_changes: [] }
    const appended: string[] = []
    for (const award of awards) {
      const posted = await postAward(container, award, new Date())
      outcome.customer_ids.push(award.customer_id)
      outcome.tier_changes.push(...(posted.tier_changes ?? []))
      if (posted.entry) outcome.entries.push(pick(posted.entry))
      if (posted.entry && !posted.replayed) {
        appended.push(posted.entry.id)
        const { action, entry } = posted
        outcome.events.push({
          name: POINTS_EARNED_EVENT,
          data: { customer_id: action.customer_id, entry_id: entry.id, action_id: action.id, type: action.type, reference: action.reference, points: entry.points, rule_names: action.rule_names },
        })
      }
    }
    return new StepResponse({ ...outcome, posted: appended.length }, appended)
  },
  compensate
)

/**
 * order.canceled → the referral awards that order earned (both sides) taken back, once each: out of pending when the
 * award is still pending (not activated), else off the balance within the program's floor.
 */
export const reverseReferralStep = createStep(
  "loyalty-reverse-referral",
  async ({ order_id }: { order_id: string }, { container }) => {
    const loyalty = loyaltyOf(container)
    const { data: [order] } = await queryOf(container).graph({ entity: "order", fields: ["id", "customer_id"], filters: { id: order_id } })
    if (!order?.customer_id) return new StepResponse<ReferralOutcome, string[]>(NOTHING, [])
    const floor = loyalty.getRulebook().program.negative_balance
    const outcome: ReferralOutcome = { entries: [], customer_ids: [], posted: 0, events: [], tier_changes: [] }
    const appended: string[] = []
    for (const role of REFERRAL_ROLES) {
      const reference = referralReference(order.customer_id, role)
      const award = await loyalty.findEntryByKey(EntryKeys.action("referral", reference))
      const properties = ((award?.details as any)?.action?.properties ?? {}) as Record<string, unknown>
      if (!award || properties.order_id !== order_id) continue
      const posted = await loyalty.postUnderLock(award.customer_id, referralReversalKey(order.customer_id, role), async ({ accountEntries }) => {
        const activated = (await accountEntries()).some((e) => e.idempotency_key === EntryKeys.awardActivation(award.idempotency_key))
        return actionReversalEntryDraft({
          award: { action_id: award.source_id ?? order_id, customer_id: award.customer_id, entry_id: award.id, points: award.points + award.pending_delta, type: "referral", reference, properties },
          still_pending: award.pending_delta > 0 && !activated,
          floor,
          why: `order ${order_id} canceled`,
          details: { order_id },
        })
      }, null, memberContextSource(container, award.customer_id))
      outcome.customer_ids.push(award.customer_id)
      outcome.tier_changes.push(...(posted.tier_changes ?? []))
      if (posted.entry) outcome.entries.push(pick(posted.entry))
      if (posted.entry && !posted.replayed) {
        appended.push(posted.entry.id)
        outcome.events.push({
          name: POINTS_REVERSED_EVENT,
          data: { customer_id: award.customer_id, entry_id: posted.entry.id, action_id: award.source_id, order_id, role, points: posted.entry.points, pending_points: posted.entry.pending_delta },
        })
      }
    }
    return new StepResponse({ ...outcome, posted: appended.length }, appended)
  },
  compensate
)

const memberAt = (outcome: ReferralOutcome, i: number) => transform({ outcome }, ({ outcome }) => ({ customer_id: outcome.customer_ids[i] ?? null }))
const tierChangesOf = (outcome: ReferralOutcome) => transform({ outcome }, ({ outcome }) => ({ changes: outcome.tier_changes }))

type EventBus = {
  emit(messages: Array<{ name: string; data: unknown; metadata?: Record<string, unknown> }>): Promise<void>
  clearGroupedEvents(eventGroupId: string, options?: { eventNames?: string[] }): Promise<void>
}

/** The outcome's events, grouped with the workflow's as emitTierChangesStep does: released on success, dropped on a rollback. */
export const emitReferralEventsStep = createStep(
  "loyalty-emit-referral-events",
  async ({ events }: { events: ReferralOutcome["events"] }, { container, eventGroupId }) => {
    if (!events?.length) return new StepResponse<number, string | null>(0, null)
    const metadata = eventGroupId ? { eventGroupId } : {}
    await container.resolve<EventBus>(Modules.EVENT_BUS).emit(events.map((e) => ({ ...e, metadata })))
    return new StepResponse<number, string | null>(events.length, eventGroupId ?? null)
  },
  async (eventGroupId, { container }) => {
    if (!eventGroupId) return
    await container.resolve<EventBus>(Modules.EVENT_BUS).clearGroupedEvents(eventGroupId, { eventNames: [POINTS_EARNED_EVENT, POINTS_REVERSED_EVENT] })
  }
)

const eventsOf = (outcome: ReferralOutcome) => transform({ outcome }, ({ outcome }) => ({ events: outcome.events }))

/**
 * order.placed's referral awards: awardReferralWorkflow runs only when the rulebook has action rules and the order's
 * customer attached a referral code (its step reads both again). An order of anyone else costs one read of the
 * order's customer and one of the referral, not a workflow run. Invariant: skipped only when the workflow's step
 * would award nothing.
 */
export async function awardReferral(container: MedusaContainer, order_id: string): Promise<ReferralOutcome | null> {
  const loyalty = loyaltyOf(container)
  if (loyalty.getRulebook().actions.length === 0) return null
  const { data: [order] } = await queryOf(container).graph({ entity: "order", fields: ["id", "customer_id"], filters: { id: order_id } })
  if (!order?.customer_id || !(await loyalty.findReferral(order.customer_id))) return null
  const { result } = await awardReferralWorkflow(container).run({ input: { order_id } })
  return result
}

export const awardReferralWorkflow = createWorkflow("loyalty-award-referral", (input: { order_id: string }) => {
  const awards = awardReferralStep(input)
  syncTierGroupsStep(memberAt(awards, 0)).config({ name: "loyalty-award-referral-groups-0" })
  syncTierGroupsStep(memberAt(awards, 1)).config({ name: "loyalty-award-referral-groups-1" })
  emitReferralEventsStep(eventsOf(awards))
  emitTierChangesStep(tierChangesOf(awards))
  return new WorkflowResponse(awards)
})

export const reverseReferralWorkflow = createWorkflow("loyalty-reverse-referral", (input: { order_id: string }) => {
  const reversals = reverseReferralStep(input)
  syncTierGroupsStep(memberAt(reversals, 0)).config({ name: "loyalty-reverse-referral-groups-0" })
  syncTierGroupsStep(memberAt(reversals, 1)).config({ name: "loyalty-reverse-referral-groups-1" })
  emitReferralEventsStep(eventsOf(reversals))
  emitTierChangesStep(tierChangesOf(reversals))
  return new WorkflowResponse(reversals)
})

export type ActivateAwardInput = {
  entry_id: string
  customer_id: string
  /** The award's idempotency key: its activation is EntryKeys.awardActivation(award key). */
  award_key: string
  now: string
  /** The order the award waits on, as the activation job reads it (OrderActivationSide). */
  order: { status: string; gone_out_at: string | null; captured_at: string | null }
}

/**
 * A pending referral award becomes available on the same conditions as its order's points (the core's
 * activationDecision over the terms stored on the award), once, under its member's lock: not when its order was
 * canceled, nor when the award was taken back or activated meanwhile (read under the lock).
 */
export const activateAwardStep = createStep(
  "loyalty-activate-award",
  async (input: ActivateAwardInput, { container }) => {
    const loyalty = loyaltyOf(container)
    const now = new Date(input.now)
    const none = new StepResponse<{ points: number; customer_id: string; tier_changes: TierChangeEvent[] }, string[]>({ points: 0, customer_id: input.customer_id, tier_changes: [] }, [])
    if (input.order.status === "canceled") return none
    const key = EntryKeys.awardActivation(input.award_key)
    const posted = await loyalty.postUnderLock(input.customer_id, key, async ({ accountEntries }) => {
      const entries = await accountEntries()
      const award = entries.find((e) => e.id === input.entry_id)
      const terms = (award?.details as { pending?: PendingAwardTerms } | undefined)?.pending
      if (!award || !terms || award.pending_delta <= 0) return null
      if (entries.some((e) => e.idempotency_key === terms.reversal_key)) return null
      const facts: ActivationFacts = {
        pending_days: Number(terms.pending_days) || 0,
        spendable_on: terms.spendable_on === "captured" ? "captured" : "placed",
        gone_out_at: input.order.gone_out_at ? new Date(input.order.gone_out_at) : null,
        captured_at: input.order.captured_at ? new Date(input.order.captured_at) : null,
      }
      const decision = activationDecision(facts, now)
      if (!decision.due) return null
      return activationEntryDraft({
        customer_id: input.customer_id, idempotency_key: key, points: award.pending_delta, facts, eligible_since: decision.eligible_since,
        award: { entry_id: award.id, order_id: terms.order_id, reference: award.reason ?? input.award_key },
      })
    }, null, memberContextSource(container, input.customer_id))
    const fresh = !!posted.entry && !posted.replayed
    return new StepResponse(
      { points: fresh ? posted.entry!.points : 0, customer_id: input.customer_id, tier_changes: posted.tier_changes ?? [] },
      fresh ? [posted.entry!.id] : []
    )
  },
  compensate
)

export const activateAwardWorkflow = createWorkflow("loyalty-activate-award", (input: ActivateAwardInput) => {
  const activation = activateAwardStep(input)
  // Activation moves lifetime points: the tier may change, and the groups follow.
  syncTierGroupsStep(transform({ activation }, ({ activation }) => ({ customer_id: activation.points > 0 ? activation.customer_id : null })))
  emitTierChangesStep(transform({ activation }, ({ activation }) => ({ changes: activation.tier_changes })))
  return new WorkflowResponse(activation)
})
