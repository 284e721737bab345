import { claimRefusal, type ClaimableRedemption, type ClaimAttempt } from "../../src/domain/ledger/redemption-claim"
import { redemptionProblems } from "../../src/domain/ledger/verify"

const now = new Date("2026-11-29T12:00:00Z")
const code = (over: Partial<ClaimableRedemption> = {}): ClaimableRedemption => ({
  id: "lred_1",
  customer_id: "cus_member",
  discount_code: "LOYAL-ABCD-EFGH",
  status: "reserved",
  expires_at: new Date("2026-12-29T12:00:00Z"),
  ...over,
})
const attempt = (over: Partial<ClaimAttempt> = {}): ClaimAttempt => ({
  customer_id: "cus_member",
  claimed_by_cart_id: null,
  cart_id: "cart_a",
  now,
  ...over,
})

describe("claimRefusal: who may use a redemption code at checkout", () => {
  it.each<[string, Partial<ClaimableRedemption>, Partial<ClaimAttempt>, string | null]>([
    ["the member's own reserved code on an unclaimed cart", {}, {}, null],
    ["the member applying their own unused code", {}, { cart_id: null }, null],
    ["a retried completion of the cart that holds the claim", {}, { claimed_by_cart_id: "cart_a" }, null],
    ["the winning cart retried after the code settled", { status: "settled" }, { claimed_by_cart_id: "cart_a" }, null],
    ["another customer", {}, { customer_id: "cus_other" }, "REDEMPTION_NOT_YOURS"],
    ["a guest (no customer)", {}, { customer_id: null }, "REDEMPTION_NOT_YOURS"],
    ["another customer, even when the code is used up", { status: "settled" }, { customer_id: "cus_other" }, "REDEMPTION_NOT_YOURS"],
    ["a second cart while another cart holds the claim", {}, { claimed_by_cart_id: "cart_b" }, "REDEMPTION_ALREADY_USED"],
    ["applying a code a cart has claimed", {}, { cart_id: null, claimed_by_cart_id: "cart_b" }, "REDEMPTION_ALREADY_USED"],
    ["a settled code", { status: "settled" }, {}, "REDEMPTION_ALREADY_USED"],
    ["a voided code", { status: "voided" }, {}, "REDEMPTION_EXPIRED"],
    ["a code past its date", { expires_at: new Date("2026-11-29T11:59:59Z") }, {}, "REDEMPTION_EXPIRED"],
    ["a code expiring this very instant", { expires_at: now }, {}, "REDEMPTION_EXPIRED"],
  ])("%s → %s", (_what, redemption, who, expected) => {
    const refusal = claimRefusal(code(redemption), attempt(who))
    expect(refusal?.code ?? null).toBe(expected)
    if (refusal) {
      expect(refusal.message).toContain("LOYAL-ABCD-EFGH")
      expect(refusal.message).toMatch(/Remove the code to complete the order without it\.$/)
      expect(refusal.details).toEqual({ discount_code: "LOYAL-ABCD-EFGH", redemption_id: "lred_1" })
    }
  })

  it("tells a stranger nothing about the code's state (same refusal whatever the status)", () => {
    const messages = (["reserved", "settled", "voided"] as const).map((status) => claimRefusal(code({ status }), attempt({ customer_id: "cus_x" }))!.message)
    expect(new Set(messages).size).toBe(1)
  })
})

describe("redemptionProblems: verify's view of codes orders used", () => {
  it.each([
    ["a settled code used by one order", "settled", ["order_1"], []],
    ["a reserved code an order used (lost order.placed)", "reserved", ["order_1"], ["redemption_unsettled"]],
    ["a voided code an order used (points and discount both given)", "voided", ["order_1"], ["redemption_voided_used"]],
    ["a settled code used by two orders", "settled", ["order_2", "order_1"], ["redemption_reused"]],
    ["a reserved code used by two orders", "reserved", ["order_1", "order_2"], ["redemption_unsettled", "redemption_reused"]],
  ])("%s → %j", (_what, status, order_ids, checks) => {
    const problems = redemptionProblems([{ redemption_id: "lred_1", customer_id: "cus_1", status, order_ids }])
    expect(problems.map((p) => p.check)).toEqual(checks)
    for (const p of problems) expect(p).toMatchObject({ customer_id: "cus_1", redemption_id: "lred_1" })
  })

  it("names the orders, sorted, in the reused problem", () => {
    const [p] = redemptionProblems([{ redemption_id: "lred_1", customer_id: "cus_1", status: "settled", order_ids: ["order_b", "order_a"] }])
    expect(p.actual).toBe("used by 2 orders: order_a, order_b")
  })
})
