import { applyBalanceFloor, clawbackForRefund, reversalForCancel } from "../../src/domain/ledger/clawback"
import { prng } from "../support/random-rules"

/** Runs a sequence of refunds against one order and returns each refund's clawback. */
function clawbacks(earned_points: number, order_total_minor: number, refunds_minor: number[]): number[] {
  let refunded_before_minor = 0
  let clawed_before_points = 0
  return refunds_minor.map((refund_minor) => {
    const points = clawbackForRefund({ earned_points, order_total_minor, refunded_before_minor, refund_minor, clawed_before_points })
    refunded_before_minor += refund_minor
    clawed_before_points += points
    return points
  })
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)

describe("clawbackForRefund: cumulative, proportional to the refunded share of the order total", () => {
  it("claws 83 then 140 for the worked example (223 points on 133.45, refunds 50.00 and 83.45)", () => {
    expect(clawbacks(223, 13345, [5000, 8345])).toEqual([83, 140])
  })

  it.each([
    ["a refund of the whole total", 223, 13345, [13345], [223]],
    ["three partial refunds", 223, 13345, [3000, 3000, 7345], [50, 50, 123]],
    ["many one-cent refunds, each rounding to 0 on its own", 10, 1000, [99, 1, 100], [0, 1, 1]],
    ["a refund larger than the total", 223, 13345, [20000], [223]],
    ["refunds that together exceed the total", 223, 13345, [10000, 10000, 500], [167, 56, 0]],
    ["an order that earned nothing", 0, 13345, [5000, 8345], [0, 0]],
    ["a refund of 0", 223, 13345, [0], [0]],
    ["an order total of 0 (claws everything at once)", 50, 0, [0, 100], [50, 0]],
  ])("claws the right points for %s", (_label, earned, total, refunds, expected) => {
    expect(clawbacks(earned, total, refunds)).toEqual(expected)
  })

  it("never claws more than what is left when earlier clawbacks (e.g. a return) already took more than the target", () => {
    expect(clawbackForRefund({ earned_points: 223, order_total_minor: 13345, refunded_before_minor: 0, refund_minor: 5000, clawed_before_points: 200 })).toBe(0)
  })

  it("claws only the remainder when the refund completes the total after a bigger earlier clawback", () => {
    expect(clawbackForRefund({ earned_points: 223, order_total_minor: 13345, refunded_before_minor: 5000, refund_minor: 8345, clawed_before_points: 200 })).toBe(23)
  })

  it("never over-claws: over 2000 random splits Σ clawbacks ≤ earned, and = earned once the total is refunded", () => {
    const random = prng(42)
    let checked = 0
    for (let run = 0; run < 2000; run++) {
      const total = 1 + Math.floor(random() * 100_000)
      const earned = Math.floor(random() * 5_000)
      const refunds: number[] = []
      let left = total
      while (left > 0) {
        const refund = Math.min(left, 1 + Math.floor(random() * total * 0.4))
        refunds.push(refund)
        left -= refund
      }
      const points = clawbacks(earned, total, refunds)
      points.forEach((p, i) => expect(sum(points.slice(0, i + 1))).toBeLessThanOrEqual(earned))
      expect(points.every((p) => Number.isInteger(p) && p >= 0)).toBe(true)
      expect(sum(points)).toBe(earned)
      checked++
    }
    expect(checked).toBe(2000)
  })

  it.each([
    ["a negative refund", { refund_minor: -1 }],
    ["a fractional earned", { earned_points: 1.5 }],
    ["an unsafe total", { order_total_minor: Number.MAX_SAFE_INTEGER + 1 }],
  ])("refuses %s as a ledger invariant", (_label, change) => {
    const input = { earned_points: 223, order_total_minor: 13345, refunded_before_minor: 0, refund_minor: 5000, clawed_before_points: 0, ...change }
    expect(() => clawbackForRefund(input)).toThrow(expect.objectContaining({ code: "LEDGER_INVARIANT" }))
  })
})

describe("reversalForCancel: whatever of the accrual is not clawed back yet", () => {
  it.each([
    [223, 0, 223],
    [223, 83, 140],
    [223, 223, 0],
    [223, 300, 0],
    [0, 0, 0],
  ])("earned %i, clawed %i before → reverses %i", (earned_points, clawed_before_points, expected) => {
    expect(reversalForCancel({ earned_points, clawed_before_points })).toBe(expected)
  })

  it("equals a refund of the whole order total", () => {
    const full = clawbackForRefund({ earned_points: 223, order_total_minor: 13345, refunded_before_minor: 0, refund_minor: 13345, clawed_before_points: 0 })
    expect(full).toBe(reversalForCancel({ earned_points: 223, clawed_before_points: 0 }))
  })
})

describe("applyBalanceFloor: the delta actually posted under the negative-balance policy", () => {
  it.each([
    [100, -30, "allow", -30],
    [10, -30, "allow", -30],
    [-5, -30, "allow", -30],
    [100, -30, "stop_at_zero", -30],
    [30, -30, "stop_at_zero", -30],
    [10, -30, "stop_at_zero", -10],
    [0, -30, "stop_at_zero", 0],
    [-5, -30, "stop_at_zero", 0],
    [-5, 20, "stop_at_zero", 20],
    [0, 20, "stop_at_zero", 20],
    [10, 0, "stop_at_zero", 0],
  ] as const)("balance %i, delta %i, %s → posts %i", (balance, delta, policy, expected) => {
    expect(applyBalanceFloor(balance, delta, policy)).toBe(expected)
  })

  it("never returns a negative zero (it would print as -0 in JSON-adjacent logs and tests)", () => {
    expect(Object.is(applyBalanceFloor(0, -30, "stop_at_zero"), 0)).toBe(true)
  })

  it("refuses a fractional delta", () => {
    expect(() => applyBalanceFloor(10, -1.5, "allow")).toThrow(expect.objectContaining({ code: "LEDGER_INVARIANT" }))
  })
})
