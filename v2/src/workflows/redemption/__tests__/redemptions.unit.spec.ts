import { toMajorUnits } from "../../../lib/money"
import { promotionRefsOf } from "../checkout"
import { promotionInput } from "../plan"

describe("a redemption code on Medusa v2", () => {
  it.each([
    [500, 2, 5],
    [1234, 2, 12.34],
    [500, 0, 500],
    [1, 3, 0.001],
  ])("%i minor units with %i decimals are %p in v2's major units", (minor, decimals, major) => {
    expect(toMajorUnits(minor, decimals)).toBe(major)
  })

  it("is a draft single-use promotion for the member only, a fixed amount off the order in the redemption's currency", () => {
    expect(promotionInput({ code: "LOYAL-AAAA-BBBB", customer_id: "cus_1", amount_minor: 750, currency_code: "eur" })).toEqual({
      code: "LOYAL-AAAA-BBBB",
      type: "standard",
      status: "draft",
      is_automatic: false,
      limit: 1,
      application_method: { type: "fixed", target_type: "order", allocation: "across", value: 7.5, currency_code: "eur" },
      rules: [{ attribute: "customer.id", operator: "eq", values: ["cus_1"] }],
    })
  })

  it("is found on a cart by its promotions and by the codes of its item and shipping adjustments", () => {
    const refs = promotionRefsOf({
      id: "cart_1",
      promotions: [{ id: "promo_1" }, null],
      items: [{ adjustments: [{ code: "LOYAL-AAAA-BBBB", promotion_id: "promo_1" }, { code: "GOLD15", promotion_id: "promo_2" }] }, { adjustments: null }],
      shipping_methods: [{ adjustments: [{ code: "FREESHIP", promotion_id: "promo_3" }] }],
    })
    expect(refs).toEqual({ promotion_ids: ["promo_1", "promo_2", "promo_3"], codes: ["LOYAL-AAAA-BBBB", "GOLD15", "FREESHIP"] })
    expect(promotionRefsOf({ id: "cart_2" })).toEqual({ promotion_ids: [], codes: [] })
  })
})
