import { createHash } from "crypto"
import { applyBalanceFloor } from "./clawback"
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"

/**
 * Every kind of ledger movement (a closed set: new capabilities add their kind here first).
 * - accrual: an order's points (available, or pending when the program has pending_days, or spendable_on
 *   "captured" and the payment is not captured yet)
 * - activation: pending points of an order becoming available
 * - reversal: an order canceled (everything it earned, net of earlier clawbacks; 0 points = a tombstone when the
 *   cancel arrives before the accrual)
 * - clawback: a refund's share of an order's points
 * - adjustment: an admin's correction (signed, with a reason)
 * - redemption / redemption_void: points exchanged for a code / given back when the code expired unused, or when
 *   a cancel or clawback left the balance negative (unused codes, newest first)
 * - expiry: points older than the program's expiry period, first in first out
 * - action: fixed points for an earning action (signup, birthday, referral, a custom action such as a review), by
 *   the rulebook's action rules; negative when a referral award is taken back (its first order canceled)
 */
export const EntryKinds = [
  "accrual",
  "activation",
  "reversal",
  "clawback",
  "adjustment",
  "redemption",
  "redemption_void",
  "expiry",
  "action",
] as const
export type EntryKind = (typeof EntryKinds)[number]

/**
 * How a negative movement treats the balance floor: `allow` may go below zero (clawbacks by default),
 * `stop_at_zero` clamps the movement so the balance stops at zero, `refuse` throws INSUFFICIENT_POINTS
 * (redemptions can never overdraw).
 */
export type BalanceFloor = "allow" | "stop_at_zero" | "refuse"

/** What a caller asks the ledger to record. `points` is signed from the member's point of view. */
export interface EntryDraft {
  customer_id: string
  kind: EntryKind
  /** Change to the available balance. */
  points: number
  /** Change to the pending points (two-phase accruals); default 0. */
  pending_points?: number
  idempotency_key: string
  floor?: BalanceFloor
  order_id?: string | null
  source_id?: string | null
  rule_names?: string[]
  rulebook_version?: string | null
  reason?: string | null
  actor_id?: string | null
  details?: Record<string, unknown>
}

/** The cached state of an account that a posting reads and changes. */
export interface AccountState {
  points_balance: number
  points_lifetime: number
  points_pending: number
}

/** What posting a draft does: the points actually moved (after the floor) and the account's new state. */
export interface Posting {
  points: number
  pending_delta: number
  balance_after: number
  pending_after: number
  next: AccountState
}

/**
 * Kinds that count towards lifetime points (earned value net of clawbacks). Redemptions and expiry never lower
 * it; pending points count once activated.
 */
export const LIFETIME_KINDS: ReadonlySet<EntryKind> = new Set(["accrual", "activation", "adjustment", "reversal", "clawback", "action"])

/**
 * Computes the effect of `draft` on `account`. Invariants: every figure is a safe integer; the balance after is the
 * balance before plus the posted points (so `balance = Σ points` holds entry by entry, and likewise for pending);
 * pending points never go below zero; with floor `refuse` the balance never goes below zero.
 */
export function planPosting(account: AccountState, draft: EntryDraft): Posting {
  assertSafeInteger(draft.points, "points")
  const pending_delta = draft.pending_points ?? 0
  assertSafeInteger(pending_delta, "pending_points")
  const points = floored(account.points_balance, draft)
  const balance_after = account.points_balance + points
  const pending_after = account.points_pending + pending_delta
  assertStorable(points, "movement")
  assertStorable(balance_after, "balance")
  assertStorable(pending_after, "pending points")
  if (pending_after < 0) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `pending points would become ${pending_after}`, {
      pending_after,
    })
  }
  const lifetime_delta = LIFETIME_KINDS.has(draft.kind) ? points : 0
  const points_lifetime = Math.max(0, account.points_lifetime + lifetime_delta)
  // Lifetime only grows while points are earned and spent, so its column is bigint; JavaScript keeps it exact up to here.
  assertSafeInteger(points_lifetime, "lifetime points")
  return {
    points,
    pending_delta,
    balance_after,
    pending_after,
    next: {
      points_balance: balance_after,
      points_pending: pending_after,
      points_lifetime,
    },
  }
}

function floored(balance: number, draft: EntryDraft): number {
  const floor = draft.floor ?? "allow"
  if (draft.points >= 0 || floor === "allow" || balance + draft.points >= 0) {
    return draft.points
  }
  if (floor === "stop_at_zero") {
    return applyBalanceFloor(balance, draft.points, "stop_at_zero")
  }
  throw new LoyaltyError(
    LoyaltyErrorCodes.INSUFFICIENT_POINTS,
    `Not enough points: ${-draft.points} requested, ${Math.max(0, balance)} available`,
    { requested: -draft.points, available: Math.max(0, balance) }
  )
}

/**
 * A stable fingerprint of what a draft means (not when it was made): an exact replay has the same hash, a
 * conflicting retry under the same idempotency key a different one.
 */
export function payloadHash(draft: EntryDraft): string {
  const meaning = [
    draft.customer_id,
    draft.kind,
    draft.points,
    draft.pending_points ?? 0,
    draft.order_id ?? null,
    draft.source_id ?? null,
    draft.reason ?? null,
  ]
  return createHash("sha256").update(JSON.stringify(meaning)).digest("hex")
}

/**
 * Decides what a second write under an existing idempotency key is: the same payload is a replay (return the
 * stored entry), anything else a conflict the caller must see.
 */
export function assertReplay(stored: { payload_hash: string; idempotency_key: string }, draft: EntryDraft): void {
  if (stored.payload_hash === payloadHash(draft)) {
    return
  }
  throw new LoyaltyError(
    LoyaltyErrorCodes.IDEMPOTENCY_CONFLICT,
    `Idempotency key "${draft.idempotency_key}" was already used for a different request; use a new key for a new operation`,
    { idempotency_key: draft.idempotency_key }
  )
}

/**
 * Balances, pending points and each movement are stored as PostgreSQL integers (loyalty_account, loyalty_ledger_entry):
 * refuse a movement that would not fit rather than fail at write. Lifetime points are bigint (migration 1764460800000).
 */
export const MAX_STORABLE_POINTS = 2_147_483_647

function assertStorable(value: number, what: string): void {
  if (Math.abs(value) > MAX_STORABLE_POINTS) {
    throw new LoyaltyError(
      LoyaltyErrorCodes.LEDGER_INVARIANT,
      `This movement would take the ${what} to ${value}, beyond the largest storable ${MAX_STORABLE_POINTS}`,
      { value }
    )
  }
}

function assertSafeInteger(value: number, field: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `${field} must be a safe integer, got ${value}`, {
      field,
    })
  }
}
