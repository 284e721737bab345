/**
 * The ledger side of earning actions (signup, birthday, referral, custom): what a reported action comes to once
 * its rules are evaluated, the `action` entry that awards it, and the entry that takes an award back. Keys are
 * EntryKeys.action / EntryKeys.actionReversal: the same type + reference earns once, ever, and is taken back once.
 */
import type { ActionFacts, ActionResult, LimitRefusal } from "../program/action"
import type { PendingAwardTerms } from "./activation"
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"
import { EntryKeys } from "./entry-keys"
import type { EntryDraft } from "./ledger"
import type { NegativeBalancePolicy } from "../rules/program"

/** awarded (an entry), refused (every fired rule at its limit), no_rule (no action rule applies). */
export type ActionStatus = "awarded" | "refused" | "no_rule"

/** An action as reported, with the plugin-internal pending terms of an award that must wait (a referral's). */
export interface ReportedAction {
  customer_id: string
  type: string
  reference: string
  actor_id?: string | null
  pending?: PendingAwardTerms
}

export interface ActionDecision {
  status: ActionStatus
  /** Recorded on the action: why nothing was awarded, or the rules held back by their limits beside an award. */
  reasons: Array<LimitRefusal | { message: string }>
  /** The `action` entry to post, null unless awarded. */
  draft: EntryDraft | null
}

/**
 * What a reported action comes to, from its evaluation. Invariant: a draft exactly when status is "awarded"
 * (points > 0); a pending award is out of balance and lifetime (points 0, pending +N) until activated.
 */
export function actionDecision(a: { action: ReportedAction; action_id: string; result: ActionResult; facts: { action: ActionFacts } }): ActionDecision {
  const { action, result } = a
  const status: ActionStatus = result.points > 0 ? "awarded" : result.refused.length > 0 ? "refused" : "no_rule"
  if (status === "no_rule") return { status, reasons: [{ message: `no action rule applies to a "${action.type}" action` }], draft: null }
  if (status === "refused") return { status, reasons: result.refused, draft: null }
  return { status, reasons: result.refused, draft: actionEntryDraft(a) }
}

function actionEntryDraft(a: { action: ReportedAction; action_id: string; result: ActionResult; facts: { action: ActionFacts } }): EntryDraft {
  const { action, result, facts } = a
  return {
    customer_id: action.customer_id,
    kind: "action",
    points: action.pending ? 0 : result.points,
    pending_points: action.pending ? result.points : 0,
    idempotency_key: EntryKeys.action(action.type, action.reference),
    source_id: a.action_id,
    rule_names: result.rule_names,
    rulebook_version: result.rulebook_version,
    reason: `${action.type} ${action.reference}`,
    actor_id: action.actor_id ?? null,
    details: {
      action: { type: facts.action.type, reference: facts.action.reference, occurred_at: facts.action.occurred_at, properties: facts.action.properties },
      contributions: result.contributions,
      refused: result.refused,
      facts,
      ...(action.pending ? { pending: action.pending } : {}),
    },
  }
}

/**
 * The entry that takes an award back (e.g. a referral whose first order was canceled), decided under the member's
 * lock: an award still pending comes out of pending only, never out of the balance; an activated one comes off the
 * balance within the program's floor. `why` completes the reason ("order X canceled").
 */
export function actionReversalEntryDraft(a: {
  award: { action_id: string; customer_id: string; entry_id: string | null; points: number; type: string; reference: string; properties: Record<string, unknown> }
  still_pending: boolean
  floor: NegativeBalancePolicy
  why: string
  details?: Record<string, unknown>
}): EntryDraft {
  const { award } = a
  return {
    customer_id: award.customer_id,
    kind: "action",
    points: a.still_pending ? 0 : -award.points,
    pending_points: a.still_pending ? -award.points : 0,
    idempotency_key: EntryKeys.actionReversal(award.type, award.reference),
    floor: a.floor,
    source_id: award.action_id,
    reason: `${award.type} ${award.reference} taken back: ${a.why}`,
    details: { reversal_of: award.entry_id, action: { type: award.type, reference: award.reference, properties: award.properties }, ...a.details },
  }
}

/**
 * Who may earn from an action: a registered customer (one with an account). Invariant: an unknown customer is
 * NOT_FOUND, a guest (has_account false) ACTION_NOT_ALLOWED, whatever the action; both adapters read the row, this
 * decides.
 */
export function assertActionMember(customer_id: string, customer: { has_account: boolean | null } | null | undefined): void {
  if (!customer) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Customer ${customer_id} was not found`, { customer_id })
  if (!customer.has_account) {
    throw new LoyaltyError(LoyaltyErrorCodes.ACTION_NOT_ALLOWED, `Customer ${customer_id} has no account (a guest): only members earn from actions`, { customer_id })
  }
}

/**
 * A second report of a recorded action (the same type + reference): the stored action when its payload hash is the
 * report's (a replay answers the first outcome), IDEMPOTENCY_CONFLICT otherwise (other customer, occurred_at or
 * properties), or when nothing is stored under a key the ledger holds. Invariant: one type + reference, one outcome.
 */
export function actionReplay<A extends { payload_hash: string }>(stored: A | null | undefined, payload_hash: string, key: string): A {
  if (!stored || stored.payload_hash !== payload_hash) {
    throw new LoyaltyError(
      LoyaltyErrorCodes.IDEMPOTENCY_CONFLICT,
      `The action ${key.slice("action:".length)} was already reported with other data (customer, occurred_at or properties); a new action needs a new reference`,
      { idempotency_key: key }
    )
  }
  return stored
}

/**
 * The `signup` action of a new customer, or null when it earns nothing to report: only a registered customer
 * (has_account) whose account opens on registration (auto_enroll), and only when the rulebook has action rules.
 * Reference: the customer id, so the key `action:signup:<customer>` credits a customer once, whatever the redeliveries.
 */
export function signupAction(a: {
  customer: { id: string; has_account?: boolean | null; created_at?: string | Date | null }
  auto_enroll: boolean
  action_rules: number
}): { customer_id: string; type: "signup"; reference: string; occurred_at?: string } | null {
  if (!a.auto_enroll || !a.customer.has_account || a.action_rules === 0) return null
  const occurred_at = a.customer.created_at ? new Date(a.customer.created_at).toISOString() : undefined
  return { customer_id: a.customer.id, type: "signup", reference: a.customer.id, ...(occurred_at ? { occurred_at } : {}) }
}
