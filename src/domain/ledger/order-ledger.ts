/**
 * What the ledger already says about one order: the basis for cancels, refunds and activation, so that every
 * follow-up movement is computed from the entries that exist (the ledger is the truth), not from today's rules.
 */
import type { AccrualResult } from "../program/accrual"
import { clawbackForRefund, reversalForCancel } from "./clawback"
import { EntryKeys } from "./entry-keys"
import type { EntryDraft } from "./ledger"
import type { NegativeBalancePolicy } from "../rules/program"

export interface OrderEntry {
  kind: string
  points: number
  pending_delta: number
  details: Record<string, unknown>
}

export interface OrderLedgerState {
  /** An accrual entry exists. */
  accrued: boolean
  /** A reversal (cancel) entry exists, possibly a 0-point tombstone written before the accrual. */
  canceled: boolean
  /** The accrual was pending and has been activated. */
  activated: boolean
  /** Points the order earned (available or pending). */
  earned_points: number
  /** Points already taken back by clawbacks and reversals (available or pending). */
  clawed_points: number
  /** Sum of the refunds already clawed back for, in minor units. */
  refunded_minor: number
  /** The order total the accrual saw (the denominator of refund shares). */
  order_total_minor: number
  /** True while the order's points are pending: reductions come out of pending, not the balance. */
  pending: boolean
}

/** Folds an order's entries into its state. Invariant: clawed_points ≤ earned_points for a consistent ledger. */
export function orderLedgerState(entries: readonly OrderEntry[]): OrderLedgerState {
  const state: OrderLedgerState = {
    accrued: false,
    canceled: false,
    activated: false,
    earned_points: 0,
    clawed_points: 0,
    refunded_minor: 0,
    order_total_minor: 0,
    pending: false,
  }
  for (const e of entries) {
    fold(state, e)
  }
  state.pending = state.accrued && !state.activated && earnedAsPending(entries)
  return state
}

function fold(state: OrderLedgerState, e: OrderEntry): void {
  switch (e.kind) {
    case "accrual":
      state.accrued = true
      state.earned_points += e.points + e.pending_delta
      state.order_total_minor = numberOr(e.details.order_total_minor, 0)
      break
    case "activation":
      state.activated = true
      break
    case "reversal":
      state.canceled = true
      state.clawed_points -= e.points + e.pending_delta
      break
    case "clawback":
      state.clawed_points -= e.points + e.pending_delta
      state.refunded_minor += numberOr(e.details.refund_minor, 0)
      break
  }
}

function earnedAsPending(entries: readonly OrderEntry[]): boolean {
  return entries.some((e) => e.kind === "accrual" && e.pending_delta > 0)
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isSafeInteger(value) ? value : fallback
}

/** Takes `points` back from where the order's points are: pending while they are pending, else the balance. */
export function orderMovement(state: OrderLedgerState, points: number, floor: "allow" | "stop_at_zero"): Pick<EntryDraft, "points" | "pending_points" | "floor"> {
  // `|| 0`: a zero movement must not be stored as -0.
  return state.pending ? { points: 0, pending_points: -points || 0 } : { points: -points || 0, pending_points: 0, floor }
}

/**
 * The accrual entry of an evaluated order, for both adapters. `pending` (decided under the account lock from the
 * program and the payment's state) puts the points in pending instead of the balance; `details` keep the arithmetic,
 * what the points wait for as awarded (a later program change does not change this order's fate) and the facts the
 * rules saw (explain).
 */
export function accrualEntryDraft(a: {
  customer_id: string
  order_id: string
  idempotency_key: string
  rulebook_version: string
  result: AccrualResult
  order_total_minor: number
  pending: boolean
  pending_days: number
  spendable_on: string
  facts: unknown
}) {
  const { result } = a
  return {
    customer_id: a.customer_id,
    kind: "accrual" as const,
    points: a.pending ? 0 : result.points,
    pending_points: a.pending ? result.points : 0,
    idempotency_key: a.idempotency_key,
    order_id: a.order_id,
    rule_names: result.rule_names,
    rulebook_version: a.rulebook_version,
    details: {
      basis_minor: result.basis_minor,
      order_total_minor: a.order_total_minor,
      amount_points: result.amount_points,
      bonus_points: result.bonus_points,
      multiplier_bp: result.multiplier_bp,
      contributions: result.contributions,
      pending_days: a.pending_days,
      spendable_on: a.spendable_on,
      facts: a.facts,
    },
  }
}

/**
 * The reversal entry of a canceled order: everything it earned, net of what refunds already clawed back, taken back
 * from where the points are (pending or balance). Before the accrual it is a 0-point tombstone that keeps a late
 * order.placed from awarding. `state` is read under the member's lock.
 */
export function reversalEntryDraft(a: { customer_id: string; order_id: string; state: OrderLedgerState; floor: NegativeBalancePolicy }): EntryDraft {
  const { state } = a
  const remaining = reversalForCancel({ earned_points: state.earned_points, clawed_before_points: state.clawed_points })
  return {
    ...orderMovement(state, remaining, a.floor),
    customer_id: a.customer_id,
    kind: "reversal",
    idempotency_key: EntryKeys.reversal(a.order_id),
    order_id: a.order_id,
    reason: "order canceled",
    details: { tombstone: !state.accrued, earned_points: state.earned_points, clawed_before_points: state.clawed_points },
  }
}

/** One refund of an order, as both adapters see it. `reason`: the platform's refund reason or note, if any. */
export interface RefundFacts {
  id: string
  amount_minor: number
  reason?: string | null
}

/**
 * What a refund does to the ledger: `post` its clawback; `wait` when the order has no accrual yet (nothing to claw
 * from: the accrual sweeps the order's refunds once it exists, so the refund is neither lost nor an error); or
 * `nothing` when the order was canceled (its reversal took back everything).
 */
export type ClawbackDecision = { action: "post"; draft: EntryDraft } | { action: "wait" } | { action: "nothing" }

/**
 * Decides a refund's clawback from the order's entries read under the member's lock: its cumulative share of what
 * the accrual earned, by the figures stored on the accrual (clawbackForRefund), taken from pending or the balance.
 */
export function clawbackDecision(a: { customer_id: string; order_id: string; state: OrderLedgerState; refund: RefundFacts; floor: NegativeBalancePolicy }): ClawbackDecision {
  const { state, refund } = a
  if (state.canceled) return { action: "nothing" }
  if (!state.accrued) return { action: "wait" }
  const points = clawbackForRefund({
    earned_points: state.earned_points,
    order_total_minor: state.order_total_minor,
    refunded_before_minor: state.refunded_minor,
    refund_minor: refund.amount_minor,
    clawed_before_points: state.clawed_points,
  })
  const draft: EntryDraft = {
    ...orderMovement(state, points, a.floor),
    customer_id: a.customer_id,
    kind: "clawback",
    idempotency_key: EntryKeys.clawback(refund.id),
    order_id: a.order_id,
    source_id: refund.id,
    reason: refund.reason ? `refund (${refund.reason})` : "refund",
    details: { refund_minor: refund.amount_minor, refunded_before_minor: state.refunded_minor, order_total_minor: state.order_total_minor },
  }
  return { action: "post", draft }
}
