/**
 * The one rounding rule of the product, in one place. Points are integers; money is integer minor units;
 * multipliers are integer basis points (10000 = ×1). Every product is computed in BigInt and rounded down once,
 * at the very end, so the result never depends on the order of the factors or on float error.
 */
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"

/** 10000 basis points = ×1. Four decimals is the finest multiplier a rule file may declare. */
export const BASIS_POINTS_ONE = 10_000

const MAX_DECIMALS = 4

function assertSafeInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `${name} must be a safe integer, got ${value}`, { [name]: value })
  }
}

/** A BigInt result leaves the domain only as a safe integer: the ledger stores JS numbers. */
function toSafeNumber(value: bigint, name: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `${name} overflows the safe integer range`, { [name]: value.toString() })
  }
  return Number(value)
}

/**
 * Points for an amount: `points` per WHOLE block of `per_minor` minor units, i.e. floor(max(amount, 0) / per_minor) × points.
 * Invariant: returns an integer ≥ 0; a negative amount (refund-heavy basis) earns 0, never negative points.
 * Example: (1999, 1, 100) → 19; (1999, 10, 100) → 190.
 */
export function amountPoints(amount_minor: number, points: number, per_minor: number): number {
  assertSafeInteger(amount_minor, "amount_minor")
  assertSafeInteger(points, "points")
  assertSafeInteger(per_minor, "per_minor")
  if (per_minor < 1) throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, "per_minor must be ≥ 1", { per_minor })
  if (points < 0) throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, "points must be ≥ 0", { points })
  const amount = Math.max(amount_minor, 0)
  // Exact in doubles: the remainder and the difference of safe integers are exact, and so is dividing an exact
  // multiple. Only the final product can leave the safe range; BigInt then decides (and refuses an overflow).
  const blocks = (amount - (amount % per_minor)) / per_minor
  const product = blocks * points
  return Number.isSafeInteger(product) ? product : toSafeNumber(BigInt(blocks) * BigInt(points), "points")
}

/**
 * floor(points × Π(factor_bp / 10000)): all factors multiply first, then ONE round-down at the end
 * ("multipliers apply before rounding down"). Several multipliers compound. An empty list returns `points`.
 * Invariant: integer result; ≥ 0 when points ≥ 0 (factors are > 0).
 * Example: 19 × 1.25 = 23.75 → 23; 19 × 1.5 = 28.5 → 28; 19 × 1.25 × 2 = 47.5 → 47.
 */
export function applyMultipliers(points: number, factors_bp: readonly number[]): number {
  const steps = multiplierSteps(points, factors_bp)
  return steps.length === 0 ? points : steps[steps.length - 1]
}

/**
 * The running results of {@link applyMultipliers} after each factor: steps[i] = applyMultipliers(points,
 * factors_bp[0..i]). One pass (accrual credits each multiplier with the growth of the running product).
 * Invariant: the same rounding as applyMultipliers, at every step: one floor of the exact product.
 */
export function multiplierSteps(points: number, factors_bp: readonly number[]): number[] {
  assertSafeInteger(points, "points")
  const steps: number[] = []
  let numerator: number | bigint = points
  let denominator: number | bigint = 1
  for (const factor_bp of factors_bp) {
    assertSafeInteger(factor_bp, "factor_bp")
    if (factor_bp <= 0) throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, "factor_bp must be > 0", { factor_bp })
    // factor_bp / 10000 in lowest terms (×1.25 is ×5/4): the same rational, so the same floors, but products that
    // stay exact plain numbers for many more factors before BigInt is needed.
    const common = gcd(factor_bp, BASIS_POINTS_ONE)
    const factor_numerator = factor_bp / common
    const factor_denominator = BASIS_POINTS_ONE / common
    if (typeof numerator === "number" && typeof denominator === "number") {
      const n: number = numerator * factor_numerator
      const d: number = denominator * factor_denominator
      // Plain numbers while both products stay exact integers; the first step that would not switches to BigInt.
      if (Number.isSafeInteger(n) && Number.isSafeInteger(d)) {
        numerator = n
        denominator = d
        steps.push(floorDivNumber(n, d))
        continue
      }
      numerator = BigInt(numerator)
      denominator = BigInt(denominator)
    }
    numerator = (numerator as bigint) * BigInt(factor_numerator)
    denominator = (denominator as bigint) * BigInt(factor_denominator)
    steps.push(toSafeNumber(floorDiv(numerator, denominator), "points"))
  }
  return steps
}

/** Greatest common divisor of two positive safe integers (Euclid). */
function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/** floor(n / d) for safe integers, d > 0, without float rounding: n − (n mod d) is an exact multiple of d. */
function floorDivNumber(n: number, d: number): number {
  const r = ((n % d) + d) % d
  return (n - r) / d
}

/**
 * The combined multiplier of several factors in basis points, rounded down: informative only (points are computed
 * from the exact product by {@link applyMultipliers}). Invariant: [] → 10000 (×1).
 */
export function combineBasisPoints(factors_bp: readonly number[]): number {
  // floor(10000 × Π factor / 10000^k): the same arithmetic as multiplying 10000 points.
  const steps = multiplierSteps(BASIS_POINTS_ONE, factors_bp)
  return steps.length === 0 ? BASIS_POINTS_ONE : steps[steps.length - 1]
}

/** BigInt division truncates toward zero; points math wants floor (matters only for negative numerators). */
function floorDiv(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator
  return numerator % denominator !== BigInt(0) && (numerator < 0) !== (denominator < 0) ? quotient - BigInt(1) : quotient
}

/**
 * A decimal multiplier (e.g. 1.25) as integer basis points (12500). Exact: parsed from the decimal text, never
 * multiplied as a float. Invariant: rejects ≤ 0, non-finite, and more than 4 decimal places.
 */
export function toBasisPoints(decimal: number): number {
  const known = BASIS_POINTS_OF.get(decimal)
  if (known !== undefined) return known
  const bp = parseBasisPoints(decimal)
  if (BASIS_POINTS_OF.size < 1000) BASIS_POINTS_OF.set(decimal, bp)
  return bp
}

/** Rulebooks use a handful of factors: remember their parse (valid ones only; errors are thrown every time). */
const BASIS_POINTS_OF = new Map<number, number>()

function parseBasisPoints(decimal: number): number {
  if (!Number.isFinite(decimal) || decimal <= 0) {
    throw new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, `multiplier must be a finite number > 0, got ${decimal}`, { decimal })
  }
  const decimals = decimalPlaces(decimal)
  if (decimals === undefined || decimals > MAX_DECIMALS) {
    throw new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, `multiplier ${decimal} has more than ${MAX_DECIMALS} decimal places`, { decimal })
  }
  const [whole, fraction = ""] = String(decimal).split(".")
  const bp = Number(whole) * BASIS_POINTS_ONE + Number(fraction.padEnd(MAX_DECIMALS, "0"))
  assertSafeInteger(bp, "factor_bp")
  return bp
}

/**
 * Decimal places of a number as JS prints it (the shortest round-trip text), or undefined when it only prints in
 * exponent form with a negative exponent (e.g. 1e-7: far more decimals than any multiplier may have).
 */
export function decimalPlaces(value: number): number | undefined {
  const text = String(value)
  if (/e-/i.test(text)) return undefined
  if (/e\+/i.test(text)) return 0
  const dot = text.indexOf(".")
  return dot === -1 ? 0 : text.length - dot - 1
}
