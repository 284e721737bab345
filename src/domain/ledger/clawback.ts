/**
 * Clawback: how many points a refund or a cancel takes back from an order's accrual, and how a clawback meets the
 * balance floor. The refund rule is CUMULATIVE (target after this refund minus what was already clawed), so the
 * rounding of one partial refund never accumulates across many: the clawbacks of an order always sum to at most
 * what it earned, and to exactly that once the whole order total is refunded.
 */
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"
import type { NegativeBalancePolicy } from "../rules/program"

export interface RefundClawbackInput {
  /** Points the order's accrual awarded (the accrual entry's points). */
  earned_points: number
  /** The order total the refunds are measured against (Medusa's `order.total`, shipping and tax included). */
  order_total_minor: number
  /** Σ earlier refunds of the order. */
  refunded_before_minor: number
  /** This refund. */
  refund_minor: number
  /** Σ points already clawed back from the order (earlier refunds, returns). */
  clawed_before_points: number
}

/**
 * Points to claw back for one refund, ≥ 0.
 * cumulative target = floor(earned × min(refunded_before + refund, total) / total); this refund claws
 * target − clawed_before, clamped to [0, earned − clawed_before]. A total of 0 claws everything remaining.
 * Invariants: Σ clawbacks ≤ earned whatever the split of the refunds; refunding the whole total claws exactly
 * earned (the same as a cancel); integer math in BigInt, one round-down.
 * Example: earned 223 on total 13345 (123.45 + 10.00 shipping): refund 5000 → floor(223 × 5000 / 13345) = 83;
 * then refund 8345 (cumulative 13345) → 223 − 83 = 140; total 223.
 */
export function clawbackForRefund(input: RefundClawbackInput): number {
  for (const [field, value] of Object.entries(input)) assertNonNegativeInteger(value, field)
  const { earned_points, order_total_minor, refunded_before_minor, refund_minor, clawed_before_points } = input
  const remaining = Math.max(earned_points - clawed_before_points, 0)
  if (order_total_minor === 0) return remaining
  const refunded = Math.min(refunded_before_minor + refund_minor, order_total_minor)
  const target = Number((BigInt(earned_points) * BigInt(refunded)) / BigInt(order_total_minor))
  return clamp(target - clawed_before_points, 0, remaining)
}

/**
 * Points a cancel takes back: whatever of the accrual is not clawed back yet.
 * Invariant: ≥ 0; after it, the order's clawbacks sum to exactly earned.
 */
export function reversalForCancel(input: { earned_points: number; clawed_before_points: number }): number {
  assertNonNegativeInteger(input.earned_points, "earned_points")
  assertNonNegativeInteger(input.clawed_before_points, "clawed_before_points")
  return Math.max(input.earned_points - input.clawed_before_points, 0)
}

/**
 * The delta actually posted under the program's negative-balance policy. "allow" posts `points_delta` as is;
 * "stop_at_zero" limits a negative delta so the balance ends at 0 at the lowest (0 when it is already ≤ 0).
 * Invariants: positive deltas always pass through; the result has the sign of `points_delta` (or is 0) and is never
 * larger in magnitude; with stop_at_zero a balance ≥ 0 stays ≥ 0.
 */
export function applyBalanceFloor(balance_before: number, points_delta: number, policy: NegativeBalancePolicy): number {
  assertInteger(balance_before, "balance_before")
  assertInteger(points_delta, "points_delta")
  if (policy === "allow" || points_delta >= 0) return points_delta
  // Math.max(-0, …) would yield -0; `|| 0` keeps the ledger free of negative zeros.
  return Math.max(points_delta, -Math.max(balance_before, 0)) || 0
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max)
}

function assertInteger(value: unknown, field: string): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `${field} must be a safe integer, got ${String(value)}`, { field })
  }
}

function assertNonNegativeInteger(value: unknown, field: string): asserts value is number {
  assertInteger(value, field)
  if (value < 0) throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `${field} must be ≥ 0, got ${value}`, { field })
}
