import { DEFAULT_PROGRAM, type ProgramSettings } from "../../src/domain/rules/program"
import {
  CartPointsKeys,
  cartPointsDebitDraft,
  cartPointsDebitPlan,
  cartPointsReleaseDraft,
  checkCartPoints,
  isCartPointsKey,
  maxCartPoints,
  maxPointsAmountMinor,
  paidPointsOf,
  pointsPaymentCancelDraft,
  pointsPaymentRefundDraft,
  type CartPointsCompletion,
  withPointsPaidAsDiscount,
} from "../../src/domain/ledger/points-payment"
import type { OrderFacts } from "../../src/domain/rules/facts"

const program = (redemption: Partial<ProgramSettings["redemption"]> = {}): ProgramSettings => ({
  ...DEFAULT_PROGRAM,
  redemption: { ...DEFAULT_PROGRAM.redemption, ...redemption },
})
const usd = (goods_minor: number) => ({ goods_minor, currency_decimals: 2 })

describe("checkCartPoints: the application bound", () => {
  it.each([
    // points, balance, goods_minor, decimals, max share bps, amount_minor
    [500, 500, 10_000, 2, 10_000, 500],
    [1000, 5000, 1000, 2, 10_000, 1000],
    [500, 500, 1000, 2, 5000, 500],
    [500, 500, 5, 0, 10_000, 5],
    [150, 150, 2, 0, 10_000, 1],
  ])("accepts %i points (balance %i) on goods %i (decimals %i, share %i bps), worth %i", (points, balance, goods, decimals, share, amount) => {
    const p = program({ max_cart_share_bps: share, min_points: 50, step_points: 50 })
    expect(checkCartPoints(points, balance, { goods_minor: goods, currency_decimals: decimals }, p)).toEqual({ points, amount_minor: amount })
  })

  it.each([
    [0, /positive integer/, {}],
    [-100, /positive integer/, {}],
    [12.5, /positive integer/, {}],
    [400, /at least 500/, { min_points: 500 }],
    [550, /multiple of 100/, { step_points: 100 }],
    [1100, /at most 50% of the cart's goods/, { max_points: 1000, max_amount_minor: 1000 }],
  ])("refuses %p points as INVALID_INPUT naming the field points", (points, message, details) => {
    expect(() => checkCartPoints(points, 0, usd(2000), program({ max_cart_share_bps: 5000 }))).toThrow(
      expect.objectContaining({ code: "INVALID_INPUT", message: expect.stringMatching(message), details: expect.objectContaining({ field: "points", ...details }) })
    )
  })

  it("refuses more points than the balance holds as INSUFFICIENT_POINTS, after the bounds", () => {
    expect(() => checkCartPoints(700, 650, usd(10_000), DEFAULT_PROGRAM)).toThrow(
      expect.objectContaining({ code: "INSUFFICIENT_POINTS", details: { requested: 700, available: 650 } })
    )
    expect(() => checkCartPoints(20_000, 0, usd(10_000), DEFAULT_PROGRAM)).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }))
  })
})

describe("maxCartPoints and maxPointsAmountMinor", () => {
  it.each([
    // goods, decimals, share, ppu, step, max amount, max points
    [2000, 2, 5000, 100, 100, 1000, 1000],
    [1999, 2, 5000, 100, 100, 999, 900],
    [1999, 2, 10_000, 100, 1, 1999, 1999],
    [3, 0, 10_000, 150, 1, 3, 599],
    [0, 2, 10_000, 100, 100, 0, 0],
  ])("goods %i (decimals %i) at %i bps, %i points per unit, step %i: at most %i minor units, %i points", (goods, decimals, share, ppu, step, maxAmount, maxPoints) => {
    const p = program({ max_cart_share_bps: share, points_per_currency_unit: ppu, step_points: step, min_points: step })
    expect(maxPointsAmountMinor(goods, p)).toBe(maxAmount)
    const points = maxCartPoints({ goods_minor: goods, currency_decimals: decimals }, p)
    expect(points).toBe(maxPoints)
    expect(points % step).toBe(0)
  })
})

const completion = (over: Partial<CartPointsCompletion> = {}): CartPointsCompletion => ({
  cart_id: "cart_1",
  customer_id: "cus_1",
  applied: { customer_id: "cus_1", points: 700, amount_minor: 700, currency_code: "usd" },
  goods_minor: 5000,
  prior: [],
  ...over,
})

describe("cartPointsDebitPlan: the completion's key", () => {
  it.each([
    ["no earlier attempt", [], { action: "debit", idempotency_key: "cart-points:cart_1" }],
    ["an earlier debit still held", [["cart-points:cart_1", -700]], { action: "already_debited", idempotency_key: "cart-points:cart_1" }],
    ["an earlier debit released", [["cart-points:cart_1", -700], ["cart-points:cart_1:released", 700]], { action: "debit", idempotency_key: "cart-points:cart_1:1" }],
    [
      "two released, a third held",
      [["cart-points:cart_1", -700], ["cart-points:cart_1:released", 700], ["cart-points:cart_1:1", -700], ["cart-points:cart_1:1:released", 700], ["cart-points:cart_1:2", -700]],
      { action: "already_debited", idempotency_key: "cart-points:cart_1:2" },
    ],
  ] as const)("%s", (_name, prior, plan) => {
    const entries = prior.map(([idempotency_key, points]) => ({ idempotency_key, points }))
    expect(cartPointsDebitPlan(completion({ prior: entries }), DEFAULT_PROGRAM)).toEqual(plan)
  })

  it.each([
    ["a guest cart", { customer_id: null }, "REDEMPTION_NOT_YOURS"],
    ["another customer's cart", { customer_id: "cus_2" }, "REDEMPTION_NOT_YOURS"],
    ["goods shrunk below the points' value", { goods_minor: 600 }, "INVALID_INPUT"],
  ] as const)("refuses %s", (_name, over, code) => {
    expect(() => cartPointsDebitPlan(completion(over), DEFAULT_PROGRAM)).toThrow(expect.objectContaining({ code }))
  })
})

describe("cartPointsDebitDraft: the locked balance decides", () => {
  it.each([
    [700, true],
    [10_000, true],
    [699, false],
    [0, false],
  ])("balance %i → %s", (balance, debits) => {
    const run = () => cartPointsDebitDraft(completion(), "cart-points:cart_1", balance)
    if (debits) {
      expect(run()).toEqual(expect.objectContaining({ kind: "redemption", points: -700, floor: "refuse", idempotency_key: "cart-points:cart_1", source_id: "cart_1" }))
    } else {
      expect(run).toThrow(expect.objectContaining({ code: "INSUFFICIENT_POINTS", details: { requested: 700, available: balance, cart_id: "cart_1" }, message: expect.stringMatching(/without them/) }))
    }
  })

  it("a release gives the debit's points back under the debit's release key", () => {
    expect(cartPointsReleaseDraft({ customer_id: "cus_1", idempotency_key: "cart-points:cart_1", points: -700, cart_id: "cart_1" })).toEqual(
      expect.objectContaining({ kind: "redemption_void", points: 700, idempotency_key: "cart-points:cart_1:released" })
    )
  })
})

describe("give-back on cancel and refund", () => {
  const paid = { customer_id: "cus_1", cart_id: "cart_1", order_id: "order_1", spent_points: 700, returned_before_points: 0 }

  it.each([
    [0, 700],
    [300, 400],
    [700, null],
  ])("a cancel after %i given back returns %p", (before, points) => {
    const draft = pointsPaymentCancelDraft({ ...paid, returned_before_points: before })
    expect(draft?.points ?? null).toBe(points)
    if (draft) expect(draft).toEqual(expect.objectContaining({ kind: "redemption_void", idempotency_key: "cart-points:cart_1:cancel", order_id: "order_1" }))
  })

  it.each([
    // paid total, refunded before, refund, returned before, points back
    [4300, 0, 4300, 0, 700],
    [4300, 0, 2150, 0, 350],
    [4300, 2150, 2150, 350, 350],
    [4300, 0, 1000, 0, 162],
    [4300, 4300, 100, 700, null],
  ])("paid %i, refunded %i before, refund %i (%i back before) → %p points back", (total, before, refund, returned, points) => {
    const draft = pointsPaymentRefundDraft({ ...paid, returned_before_points: returned }, { refund_id: "ref_1", paid_total_minor: total, refunded_before_minor: before, refund_minor: refund })
    expect(draft?.points ?? null).toBe(points)
    if (draft) expect(draft.idempotency_key).toBe("cart-points:cart_1:refund:ref_1")
  })

  it("paidPointsOf counts the held debit and the give-backs of this cart only", () => {
    const e = (idempotency_key: string, points: number) => ({ idempotency_key, points })
    expect(
      paidPointsOf("cart_1", [
        e("cart-points:cart_1", -700),
        e("cart-points:cart_1:released", 700),
        e("cart-points:cart_1:1", -700),
        e("cart-points:cart_1:refund:ref_1", 350),
        e("cart-points:cart_12", -900),
      ])
    ).toEqual({ spent_points: 700, returned_before_points: 350 })
    expect(isCartPointsKey("cart_1", CartPointsKeys.cancel("cart_1"))).toBe(true)
    expect(isCartPointsKey("cart_1", "cart-points:cart_12")).toBe(false)
  })
})

describe("withPointsPaidAsDiscount: goods paid with points earn nothing on either major", () => {
  const line = (id: string, subtotal: number, discount_total = 0) => ({
    id, title: id, product_id: null, variant_id: null, sku: null, collection_id: null, type: null, type_id: null, tags: [],
    quantity: 1, unit_price: subtotal, subtotal, discount_total, total: subtotal - discount_total,
  })
  const order = (items: ReturnType<typeof line>[]): OrderFacts => ({
    id: "order_1", subtotal: items.reduce((s, i) => s + i.subtotal, 0), discount_total: items.reduce((s, i) => s + i.discount_total, 0),
    shipping_total: 500, tax_total: 0, total: 0, gift_card_total: 0, currency_code: "eur", currency_decimals: 2,
    region_id: "reg_1", sales_channel_id: null, items, created_at: "2026-12-06T00:00:00.000Z",
  })
  it.each([
    // items (subtotal, discount), paid, expected line discounts
    ["one line takes it all", [[10_000, 0]], 1_000, [1_000]],
    ["spread by goods after discounts", [[6_000, 0], [4_000, 0]], 1_000, [600, 400]],
    ["a discounted line takes its share of what is left", [[6_000, 2_000], [4_000, 0]], 800, [2_000 + 400, 400]],
    ["largest remainder keeps integers", [[1, 0], [1, 0], [1, 0]], 2, [1, 1, 0]],
    ["nothing paid leaves the facts as they are", [[5_000, 100]], 0, [100]],
    ["never more than the goods", [[300, 0]], 500, [300]],
  ] as const)("%s", (_name, lines, paid, discounts) => {
    const before = order(lines.map(([subtotal, discount], i) => line(`item_${i}`, subtotal, discount)))
    const after = withPointsPaidAsDiscount(before, paid)
    expect(after.items.map((i) => i.discount_total)).toEqual(discounts)
    const added = discounts.reduce((s, d) => s + d, 0) - before.discount_total
    expect(after.discount_total - before.discount_total).toBe(added)
    expect(after.items.map((i) => i.total)).toEqual(after.items.map((i) => i.subtotal - i.discount_total))
    expect([after.subtotal, after.total, after.tax_total, after.shipping_total]).toEqual([before.subtotal, before.total, before.tax_total, before.shipping_total])
  })
})
