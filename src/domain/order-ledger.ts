/**
 * What the ledger already says about one order: the basis for cancels, refunds and activation, so that every
 * follow-up movement is computed from the entries that exist (the ledger is the truth), not from today's rules.
 */
import type { AccrualResult } from "./accrual"
import type { EntryDraft } from "./ledger"

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

/** Deterministic idempotency keys: one per business event, so redeliveries find their entry (both adapters). */
export const OrderKeys = {
  accrual: (order_id: string) => `order:${order_id}:accrual`,
  cancel: (order_id: string) => `order:${order_id}:cancel`,
  refund: (refund_id: string) => `refund:${refund_id}`,
  activation: (order_id: string) => `order:${order_id}:activation`,
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
