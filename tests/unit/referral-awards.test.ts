import { referralAwards, type FirstOrderFacts } from "../../src/domain/program/referral"
import { promotionOpenAt, promotionWindow } from "../../src/domain/program/promotions"
import { expiryReminder, pointsExpiringEvent } from "../../src/domain/ledger/expiry"

const order: FirstOrderFacts = {
  order_id: "order_1", order_status: "pending", order_created_at: "2026-12-01T10:00:00.000Z", first_order_id: "order_1",
  referred_id: "cus_new", referrer_id: "cus_friend", referrer_is_member: true, has_action_rules: true, pending: null,
}

describe("referralAwards: both sides on the referred member's first order only", () => {
  it("reports the referrer's then the referred member's referral action for the first order", () => {
    expect(referralAwards(order)).toEqual([
      { customer_id: "cus_friend", role: "referrer", type: "referral", reference: "referrer:cus_new", occurred_at: "2026-12-01T10:00:00.000Z", properties: { role: "referrer", order_id: "order_1", referred_id: "cus_new", referrer_id: "cus_friend" } },
      { customer_id: "cus_new", role: "referred", type: "referral", reference: "referred:cus_new", occurred_at: "2026-12-01T10:00:00.000Z", properties: { role: "referred", order_id: "order_1", referred_id: "cus_new", referrer_id: "cus_friend" } },
    ])
  })

  it.each<[string, Partial<FirstOrderFacts>]>([
    ["a later order", { first_order_id: "order_0" }],
    ["a canceled first order", { order_status: "canceled" }],
    ["a member without an attached code", { referrer_id: null }],
    ["a rulebook without action rules", { has_action_rules: false }],
  ])("reports nothing for %s", (_, change) => {
    expect(referralAwards({ ...order, ...change })).toEqual([])
  })

  it("leaves out a referrer who is no longer a member, and carries the pending terms with each side's reversal key", () => {
    const awards = referralAwards({ ...order, referrer_is_member: false, pending: { pending_days: 14, spendable_on: "placed" } })
    expect(awards.map((a) => [a.role, a.pending])).toEqual([
      ["referred", { order_id: "order_1", pending_days: 14, spendable_on: "placed", reversal_key: "action:referral:referred:cus_new:reversed" }],
    ])
  })
})

describe("promotion windows: start inclusive, end exclusive, open without dates", () => {
  const window = promotionWindow({ starts_at: "2026-12-01T00:00:00Z", ends_at: "2026-12-08T00:00:00Z" })
  it.each([
    ["2026-11-30T23:59:59.999Z", false],
    ["2026-12-01T00:00:00.000Z", true],
    ["2026-12-07T23:59:59.999Z", true],
    ["2026-12-08T00:00:00.000Z", false],
  ])("at %s the promotion is open: %s", (now, open) => {
    expect(promotionOpenAt(window, new Date(now))).toBe(open)
  })

  it("has no bounds for a promotion without dates", () => {
    expect(promotionWindow({})).toEqual({ starts_at: null, ends_at: null })
    expect(promotionOpenAt(promotionWindow({}), new Date(0))).toBe(true)
  })
})

describe("pointsExpiringEvent: the public payload of a reminder", () => {
  it("names the member, the points, the expiry instant and day, the days left and the balance", () => {
    const now = new Date("2026-12-01T00:00:00.000Z")
    const reminder = expiryReminder({ points: 120, expires_at: new Date("2026-12-10T12:00:00.000Z") }, now, 14)!
    expect(pointsExpiringEvent("cus_a", reminder, 300)).toEqual({
      customer_id: "cus_a", points: 120, expires_at: "2026-12-10T12:00:00.000Z", expires_on: "2026-12-10", days_left: 10, balance: 300,
    })
  })
})
