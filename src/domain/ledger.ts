import { createHash } from "crypto"
import { LoyaltyError, LoyaltyErrorCodes } from "./errors"

/** Every kind of ledger movement. Later capabilities add kinds here first, so the ledger stays a closed set. */
export const EntryKinds = ["accrual", "adjustment"] as const
export type EntryKind = (typeof EntryKinds)[number]

/** What a caller asks the ledger to record. `points` is signed from the member's point of view. */
export interface EntryDraft {
  customer_id: string
  kind: EntryKind
  points: number
  idempotency_key: string
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
}

/** What posting a draft does to an account: the new state, and the `balance_after` stamped on the entry. */
export interface Posting {
  balance_after: number
  next: AccountState
}

/** Kinds that count towards lifetime points (earned value); redemptions and expiry never lower it. */
const LIFETIME_KINDS: ReadonlySet<EntryKind> = new Set(["accrual", "adjustment"])

/**
 * Computes the effect of `draft` on `account`. Invariant: points are safe integers and the balance after is the
 * balance before plus the entry's points, so `balance = Σ entries` holds entry by entry.
 */
export function planPosting(account: AccountState, draft: EntryDraft): Posting {
  assertSafeInteger(draft.points, "points")
  const balance_after = account.points_balance + draft.points
  assertSafeInteger(balance_after, "balance_after")
  const lifetime_delta = LIFETIME_KINDS.has(draft.kind) ? draft.points : 0
  return {
    balance_after,
    next: { points_balance: balance_after, points_lifetime: Math.max(0, account.points_lifetime + lifetime_delta) },
  }
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

function assertSafeInteger(value: number, field: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `${field} must be a safe integer, got ${value}`, {
      field,
    })
  }
}
