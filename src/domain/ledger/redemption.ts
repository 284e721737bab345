/**
 * Redemption: turning points into a single-use discount code. Checks, value, validity and the code text; the
 * service reserves the points and creates the Medusa discount. Randomness and time are passed in.
 */
import { EntryKeys } from "./entry-keys"
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"
import { MAX_STORABLE_POINTS, type EntryDraft } from "./ledger"
import type { ProgramSettings } from "../rules/program"
import { MAX_DISCOUNT_INTEGER } from "../rules/promotion-schema"
import { DAY_MS } from "../shared/time"


/**
 * Refuses a redemption the program does not allow. Input errors first (so a malformed request never reveals the
 * balance): not a positive integer, above the ledger's MAX_STORABLE_POINTS, below min_points, not a multiple of step_points → INVALID_INPUT naming the
 * field `points`; then balance_available < points → INSUFFICIENT_POINTS with `{ requested, available }`.
 * Invariant: returns only when points is a valid amount the member can afford.
 */
export function checkRedemption(points: number, balance_available: number, program: ProgramSettings): void {
  const { min_points, step_points } = program.redemption
  if (!Number.isSafeInteger(points) || points <= 0) invalidPoints(`points must be a positive integer, got ${points}`, { points })
  // No balance can hold more (the ledger's integer columns): an input error, whatever the member's balance.
  if (points > MAX_STORABLE_POINTS) invalidPoints(`points must be at most ${MAX_STORABLE_POINTS}, got ${points}`, { points })
  if (points < min_points) invalidPoints(`points must be at least ${min_points}, got ${points}`, { points, min_points })
  if (points % step_points !== 0) invalidPoints(`points must be a multiple of ${step_points}, got ${points}`, { points, step_points })
  if (balance_available < points) {
    throw new LoyaltyError(LoyaltyErrorCodes.INSUFFICIENT_POINTS, `Not enough points: ${points} requested, ${balance_available} available`, {
      requested: points,
      available: balance_available,
    })
  }
}

function invalidPoints(message: string, details: Record<string, unknown>): never {
  throw new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, message, { field: "points", ...details })
}

/**
 * The discount value of `points` in minor units of a currency with `currency_decimals` decimals:
 * floor(points × 10^decimals / points_per_currency_unit), in BigInt. Exact for the default program (100 points per
 * unit, 2 decimals: 500 → 500 = 5.00 USD; 0 decimals: 500 → 5 JPY); when it is not exact (e.g. 150 points at 100 per
 * unit in JPY = 1.5 yen) it rounds DOWN, so a code is never worth more than the points spent.
 * Invariant: integer in 0..MAX_DISCOUNT_INTEGER, non-decreasing in points; INVALID_INPUT (field `points`) above it.
 */
export function redemptionAmountMinor(points: number, program: ProgramSettings, currency_decimals: number): number {
  assertCount(points, "points")
  assertCount(currency_decimals, "currency_decimals")
  const minor = (BigInt(points) * BigInt(10) ** BigInt(currency_decimals)) / BigInt(program.redemption.points_per_currency_unit)
  // Medusa stores a discount's value as a PostgreSQL integer: a larger code cannot exist, so the request is refused.
  if (minor > BigInt(MAX_DISCOUNT_INTEGER)) {
    invalidPoints(`points ${points} are worth ${minor} minor units, more than the largest discount a store can hold (${MAX_DISCOUNT_INTEGER}); redeem fewer points`, {
      points,
      max_amount_minor: MAX_DISCOUNT_INTEGER,
    })
  }
  return Number(minor)
}

/**
 * When a redemption's code stops being usable: `now` + code_valid_days × 24 h (UTC days, no calendar rules).
 * Invariant: strictly after `now`.
 */
export function redemptionExpiresAt(now: Date, program: ProgramSettings): Date {
  return new Date(now.getTime() + program.redemption.code_valid_days * DAY_MS)
}

/** Code symbols: digits and capitals without the look-alikes 0/O and 1/I. 32 symbols = 5 bits each, no bias. */
export const REDEMPTION_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
/** Random bytes the caller must pass (the code uses 40 bits; the rest is headroom for a longer format). */
export const REDEMPTION_CODE_RANDOM_BYTES = 10
const CODE_SYMBOLS = 8

/**
 * A human-friendly discount code, `LOYAL-XXXX-XXXX`, from caller-supplied randomness (crypto.randomBytes(10)).
 * The first 40 bits of `random` pick 8 symbols of {@link REDEMPTION_CODE_ALPHABET}, 5 bits each.
 * Invariants: deterministic for the same bytes; matches /^LOYAL-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/.
 * 40 bits make a collision unlikely but not impossible: the service retries on a duplicate code.
 */
export function redemptionCode(random: Uint8Array): string {
  if (!(random instanceof Uint8Array) || random.length < REDEMPTION_CODE_RANDOM_BYTES) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `redemptionCode needs at least ${REDEMPTION_CODE_RANDOM_BYTES} random bytes`, {
      length: (random as { length?: unknown })?.length,
    })
  }
  const symbols = Array.from({ length: CODE_SYMBOLS }, (_, i) => REDEMPTION_CODE_ALPHABET[readBits(random, i * 5, 5)])
  return `LOYAL-${symbols.slice(0, 4).join("")}-${symbols.slice(4).join("")}`
}

/** `count` bits of `bytes` starting at bit `offset`, most significant bit first. */
function readBits(bytes: Uint8Array, offset: number, count: number): number {
  let value = 0
  for (let bit = offset; bit < offset + count; bit++) {
    value = (value << 1) | ((bytes[bit >> 3] >> (7 - (bit & 7))) & 1)
  }
  return value
}

function assertCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `${field} must be a safe integer ≥ 0, got ${value}`, { field })
  }
}

/** A code the points were exchanged for, as both adapters store it. `links`: the platform's records of the code (a
 * v1 discount_id, a v2 promotion_id), kept in the entry's details. */
export interface RedeemedCode {
  redemption_id: string
  customer_id: string
  points: number
  code: string
  amount_minor: number
  currency_code: string
  links: Record<string, string | null>
}

/**
 * The redemption entry: the points leave the balance, never below zero (floor `refuse`: the locked balance decides),
 * under the member's client key, so a retried request is a replay and a different request under the same key a
 * conflict.
 */
export function redemptionEntryDraft(c: RedeemedCode, client_key: string): EntryDraft {
  return {
    customer_id: c.customer_id,
    kind: "redemption",
    points: -c.points,
    floor: "refuse",
    idempotency_key: EntryKeys.redemption(c.customer_id, client_key),
    source_id: c.redemption_id,
    reason: `redeemed for code ${c.code} worth ${c.amount_minor} ${c.currency_code} (minor units)`,
    details: { redemption_id: c.redemption_id, code: c.code, amount_minor: c.amount_minor, currency_code: c.currency_code, ...c.links },
  }
}

/** Why an unused code gives its points back. */
export type RedemptionVoidCause = "expired" | "negative_balance"

const VOID_REASONS: Record<RedemptionVoidCause, string> = {
  expired: "redemption code expired unused",
  negative_balance: "balance below zero after a cancel or refund: unused code voided",
}

/**
 * The redemption_void entry: an unused code's points come back, once per code whatever the cause (one key), so a
 * code voided for a negative balance is never voided again when it expires.
 */
export function redemptionVoidEntryDraft(
  c: Pick<RedeemedCode, "redemption_id" | "customer_id" | "points" | "code" | "links">,
  cause: RedemptionVoidCause,
  details: Record<string, unknown> = {}
): EntryDraft {
  return {
    customer_id: c.customer_id,
    kind: "redemption_void",
    points: c.points,
    idempotency_key: EntryKeys.redemptionVoid(c.redemption_id),
    source_id: c.redemption_id,
    reason: VOID_REASONS[cause],
    details: { redemption_id: c.redemption_id, code: c.code, ...c.links, ...details },
  }
}

/**
 * After a cancel or refund clawback took the balance below zero (negative_balance "allow"): the void of one unused
 * code — offered newest first, never one an order took — while the member's locked balance is still negative, or null
 * once it is not, which ends the voiding. `balance_points`: the balance as locked for this posting.
 * Invariant: a draft only for a negative balance, so voiding stops at the first code that is not needed.
 */
export function negativeBalanceVoidDraft(
  c: Pick<RedeemedCode, "redemption_id" | "customer_id" | "points" | "code" | "links">,
  balance_points: number
): EntryDraft | null {
  return balance_points >= 0 ? null : redemptionVoidEntryDraft(c, "negative_balance", { balance_before: balance_points })
}
