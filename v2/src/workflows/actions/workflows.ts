import { generateEntityId, Modules } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { actionDecision, assertActionMember } from "../../core/domain/ledger/action"
import { actionFacts, actionPayloadHash, evaluateAction, type ActionProperty } from "../../core/domain/program/action"
import { loyaltyOf, queryOf } from "../../lib/container"
import type { ActionRow, EntryRow, TierChangeEvent } from "../../modules/loyalty/types"
import { memberContextOf, memberContextSource } from "../members/member-facts"
import { emitTierChangesStep } from "../tiers/events"
import { syncTierGroupsStep } from "../tiers/workflows"

/** An earning action as reported: by the admin route (a custom type), the signup subscriber or the birthdays job. */
export type ActionInput = {
  customer_id: string
  type: string
  reference: string
  /** ISO 8601 with an offset; omitted: `now`. */
  occurred_at?: string
  properties?: Record<string, ActionProperty>
  actor_id?: string | null
  /** The instant of the report (ISO): the server clock, or a job's `--now`. */
  now: string
  /** The birthdays job's year: the award also emits `loyalty.birthday_bonus`. */
  birthday_year?: number
}

export type ActionOutcome = { action: ActionRow; entry: EntryRow | null; replayed: boolean; tier_changes?: TierChangeEvent[] }

/** Public events (docs/ledger.md#events). */
export const POINTS_EARNED_EVENT = "loyalty.points_earned"
export const BIRTHDAY_BONUS_EVENT = "loyalty.birthday_bonus"

/**
 * Records an action once per type + reference and posts what the action rules give (the core's evaluateAction and
 * actionDecision) as one `action` entry under the member's account lock. Only registered customers earn
 * (assertActionMember). Reports of one reference for two members meet at the unique index: the loser is tried once
 * more so it answers the conflict, not a database error. The compensation is a counter-entry.
 */
export const reportActionStep = createStep(
  "loyalty-report-action",
  async (input: ActionInput, { container }) => {
    const loyalty = loyaltyOf(container)
    const { customer_id, type, reference } = input
    const { data } = await queryOf(container).graph({ entity: "customer", fields: ["id", "has_account"], filters: { id: customer_id } })
    assertActionMember(customer_id, data[0])
    const rulebook = loyalty.getRulebook()
    await loyalty.rememberRulebook(loyalty.rulesState())
    const now = new Date(input.now)
    const properties = input.properties ?? {}
    const payload_hash = actionPayloadHash({ customer_id, type, reference, occurred_at: input.occurred_at ?? null, properties })
    const context = await memberContextOf(container, customer_id, now)
    const report = () =>
      loyalty.reportActionUnderLock({ customer_id, type, reference, payload_hash, now, context }, ({ facts: member, past }) => {
        const action_id = generateEntityId(undefined, "lact")
        const occurred_at = input.occurred_at ?? now.toISOString()
        const facts = { action: actionFacts({ type, reference, occurred_at, properties }, rulebook.program.timezone), member }
        const result = evaluateAction(rulebook, facts, past)
        const decision = actionDecision({ action: input, action_id, result, facts })
        const action = {
          id: action_id, customer_id, type, reference, occurred_at: new Date(facts.action.occurred_at), properties, payload_hash,
          status: decision.status, points: result.points, rule_names: result.rule_names, rulebook_version: rulebook.version,
          reasons: decision.reasons, entry_id: null, actor_id: input.actor_id ?? null,
        }
        return { draft: decision.draft, action }
      }, memberContextSource(container, customer_id))
    let outcome: ActionOutcome
    try {
      outcome = await report()
    } catch (e) {
      if ((e as { code?: unknown })?.code !== "23505") throw e
      outcome = await report()
    }
    return new StepResponse<ActionOutcome, string[]>(outcome, outcome.replayed || !outcome.entry ? [] : [outcome.entry.id])
  },
  async (posted, { container }) => {
    const loyalty = loyaltyOf(container)
    for (const id of posted ?? []) {
      const entry = await loyalty.findEntry(id)
      if (entry) await loyalty.compensateEntry(id, memberContextSource(container, entry.customer_id))
    }
  }
)

type EventBus = {
  emit(messages: Array<{ name: string; data: unknown; metadata?: Record<string, unknown> }>): Promise<void>
  clearGroupedEvents(eventGroupId: string, options?: { eventNames?: string[] }): Promise<void>
}

/**
 * `loyalty.points_earned` for a new award (and `loyalty.birthday_bonus` after it for a birthday), grouped with the
 * workflow's events as emitTierChangesStep does: released when the workflow succeeds, dropped on a rollback.
 */
export const emitActionEventsStep = createStep(
  "loyalty-emit-action-events",
  async ({ outcome, birthday_year }: { outcome: ActionOutcome; birthday_year?: number }, { container, eventGroupId }) => {
    const { action, entry } = outcome
    if (outcome.replayed || !entry) return new StepResponse<number, string | null>(0, null)
    const metadata = eventGroupId ? { eventGroupId } : {}
    const messages = [{
      name: POINTS_EARNED_EVENT, metadata,
      data: { customer_id: action.customer_id, entry_id: entry.id, action_id: action.id, type: action.type, reference: action.reference, points: entry.points, rule_names: action.rule_names },
    }]
    if (birthday_year !== undefined) {
      messages.push({ name: BIRTHDAY_BONUS_EVENT, metadata, data: { customer_id: action.customer_id, entry_id: entry.id, action_id: action.id, year: birthday_year, points: entry.points } as any })
    }
    await container.resolve<EventBus>(Modules.EVENT_BUS).emit(messages)
    return new StepResponse<number, string | null>(messages.length, eventGroupId ?? null)
  },
  async (eventGroupId, { container }) => {
    if (!eventGroupId) return
    await container.resolve<EventBus>(Modules.EVENT_BUS).clearGroupedEvents(eventGroupId, { eventNames: [POINTS_EARNED_EVENT, BIRTHDAY_BONUS_EVENT] })
  }
)

export const reportActionWorkflow = createWorkflow("loyalty-report-action", (input: ActionInput) => {
  const outcome = reportActionStep(input)
  // An award can move the member up a tier: their groups follow, and the change is announced.
  syncTierGroupsStep(transform({ outcome, input }, ({ outcome, input }) => ({ customer_id: outcome.entry && !outcome.replayed ? input.customer_id : null })))
  emitActionEventsStep(transform({ outcome, input }, ({ outcome, input }) => ({ outcome, birthday_year: input.birthday_year })))
  emitTierChangesStep(transform({ outcome }, ({ outcome }) => ({ changes: outcome.tier_changes ?? [] })))
  return new WorkflowResponse(outcome)
})
