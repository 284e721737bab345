import { amountPoints, applyMultipliers, combineBasisPoints, multiplierSteps, toBasisPoints } from "../../src/domain/program/points"
import { prng } from "../support/random-rules"

describe("amountPoints: points per whole block of minor units, rounded down", () => {
  it.each([
    [1999, 1, 100, 19],
    [1999, 10, 100, 190],
    [10000, 1, 100, 100],
    [99, 1, 100, 0],
    [100, 1, 100, 1],
    [0, 1, 100, 0],
    [-500, 1, 100, 0],
    [1999, 3, 1, 5997],
    [2500, 1, 1000, 2],
  ])("%i minor at %i point(s) per %i minor earns %i", (amount_minor, points, per_minor, expected) => {
    expect(amountPoints(amount_minor, points, per_minor)).toBe(expected)
  })

  it("computes products beyond 2^53 without float error when the result fits", () => {
    expect(amountPoints(Number.MAX_SAFE_INTEGER, 1, 1000)).toBe(Math.floor(Number.MAX_SAFE_INTEGER / 1000))
  })

  it.each([
    ["a fractional amount", 10.5, 1, 100],
    ["a zero block", 100, 1, 0],
    ["an unsafe amount", 2 ** 60, 1, 1],
  ])("refuses %s with a LEDGER_INVARIANT error", (_label, amount_minor, points, per_minor) => {
    expect(() => amountPoints(amount_minor, points, per_minor)).toThrow(expect.objectContaining({ code: "LEDGER_INVARIANT" }))
  })

  it("refuses a result that overflows the safe integer range", () => {
    expect(() => amountPoints(Number.MAX_SAFE_INTEGER, 1000, 1)).toThrow(expect.objectContaining({ code: "LEDGER_INVARIANT" }))
  })
})

describe("applyMultipliers: multiply first, round down once at the end", () => {
  it.each([
    [19, [12500], 23],
    [19, [15000], 28],
    [19, [20000], 38],
    [100, [15000], 150],
    [19, [], 19],
    [19, [12500, 20000], 47],
    [3, [13333, 13333], 5],
    [1, [5000], 0],
    [0, [20000], 0],
  ])("%i points × %j bp = %i", (points, factors_bp, expected) => {
    expect(applyMultipliers(points, factors_bp)).toBe(expected)
  })

  it("rounds once, not per factor (19 × 1.25 × 1.25 = 29.6875 → 29, per-step rounding would give 28)", () => {
    expect(applyMultipliers(19, [12500, 12500])).toBe(29)
  })

  it("does not depend on factor order", () => {
    expect(applyMultipliers(37, [12500, 15000, 10001])).toBe(applyMultipliers(37, [10001, 15000, 12500]))
  })
})

describe("toBasisPoints: decimal multipliers as exact integer basis points", () => {
  it.each([
    [1, 10000],
    [1.25, 12500],
    [1.5, 15000],
    [2, 20000],
    [0.5, 5000],
    [1.3333, 13333],
    [0.0001, 1],
    [100, 1000000],
  ])("%d → %i bp", (decimal, expected) => {
    expect(toBasisPoints(decimal)).toBe(expected)
  })

  it.each([[0], [-1], [1.23456], [0.00001], [Number.NaN], [Number.POSITIVE_INFINITY]])("rejects %d", (decimal) => {
    expect(() => toBasisPoints(decimal)).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }))
  })
})

describe("combineBasisPoints: the combined multiplier, rounded down", () => {
  it.each([
    [[], 10000],
    [[12500], 12500],
    [[12500, 20000], 25000],
    [[10001, 10001], 10002],
  ])("%j → %i bp", (factors_bp, expected) => {
    expect(combineBasisPoints(factors_bp)).toBe(expected)
  })
})

describe("the fast integer paths round exactly as BigInt arithmetic does", () => {
  /** The definition, in BigInt: floor(points × Π factor / 10000^k), and floor(amount / per) × points. */
  const floorBig = (n: bigint, d: bigint) => (n % d !== 0n && n < 0n !== d < 0n ? n / d - 1n : n / d)
  const stepsBig = (points: number, factors: number[]) =>
    factors.map((_, i) => Number(floorBig(factors.slice(0, i + 1).reduce((n, f) => n * BigInt(f), BigInt(points)), 10000n ** BigInt(i + 1))))

  it("multiplierSteps equals the BigInt definition on 20,000 random cases, including products beyond 2^53 (overflowing results refused)", () => {
    const random = prng(0x9017)
    const big = [1, 99, 12345, 1_000_000, 2 ** 40, 2 ** 52]
    for (let i = 0; i < 20_000; i++) {
      const points = Math.floor(random() * big[Math.floor(random() * big.length)])
      const factors = Array.from({ length: Math.floor(random() * 6) }, () => 1 + Math.floor(random() * 1_000_000))
      const expected = stepsBig(points, factors)
      if (expected.some((step) => !Number.isSafeInteger(step))) {
        expect(() => multiplierSteps(points, factors)).toThrow(expect.objectContaining({ code: "LEDGER_INVARIANT" }))
      } else {
        expect({ i, steps: multiplierSteps(points, factors) }).toEqual({ i, steps: expected })
      }
    }
  })

  it("multiplierSteps equals the BigInt definition on 5,000 long chains of round factors (×0.5, ×1.25, ×2, …)", () => {
    const random = prng(0x5eed)
    const round = [5000, 12500, 15000, 20000, 30000, 25000, 10001, 7500]
    for (let i = 0; i < 5_000; i++) {
      const points = Math.floor(random() * [100, 1e6, 2 ** 40][i % 3])
      const factors = Array.from({ length: Math.floor(random() * 25) }, () => round[Math.floor(random() * round.length)])
      const expected = stepsBig(points, factors)
      if (expected.some((step) => !Number.isSafeInteger(step))) expect(() => multiplierSteps(points, factors)).toThrow(expect.objectContaining({ code: "LEDGER_INVARIANT" }))
      else expect({ i, steps: multiplierSteps(points, factors) }).toEqual({ i, steps: expected })
    }
  })

  it("amountPoints equals floor(amount / per_minor) × points in BigInt on 20,000 random cases", () => {
    const random = prng(0xa11)
    for (let i = 0; i < 20_000; i++) {
      const amount = Math.floor(random() * [100, 1e6, 1e12, 2 ** 53][i % 4])
      const per = 1 + Math.floor(random() * [1, 100, 1e6][i % 3])
      const points = 1 + Math.floor(random() * 100)
      const expected = (BigInt(amount) / BigInt(per)) * BigInt(points)
      if (expected > BigInt(Number.MAX_SAFE_INTEGER)) continue
      expect(amountPoints(amount, points, per)).toBe(Number(expected))
    }
  })
})
