import { model } from "@medusajs/framework/utils"

/**
 * Points exchanged for a personal single-use v2 promotion code. `status`: reserved (the points are debited, the code
 * is usable), settled (an order used it), voided (expired unused: the points went back). `idempotency_key` and `code`
 * are unique over every row (migration Migration20261130100000, full indexes).
 */
export const LoyaltyRedemption = model.define("loyalty_redemption", {
  id: model.id({ prefix: "lred" }).primaryKey(),
  customer_id: model.text(),
  points: model.number(),
  /** The code's value in integer minor units of currency_code (the promotion holds it in v2's major units). */
  amount_minor: model.number(),
  currency_code: model.text(),
  region_id: model.text().nullable(),
  code: model.text(),
  /** The v2 promotion; null until it is created (a crash in between leaves a reserved code that expiry voids). */
  promotion_id: model.text().nullable(),
  cart_id: model.text().nullable(),
  status: model.enum(["reserved", "settled", "voided"]).default("reserved"),
  expires_at: model.dateTime(),
  order_id: model.text().nullable(),
  settled_at: model.dateTime().nullable(),
  voided_at: model.dateTime().nullable(),
  idempotency_key: model.text(),
  payload_hash: model.text(),
})

/**
 * The use of a redemption code by a checkout: at most one row per code (a full unique index on `code`), inserted by
 * the complete-cart workflow's validate hook before the order is created and deleted by its compensation when no
 * order results. The unique index is what makes a code pay for at most one order, whatever the timing.
 */
export const LoyaltyRedemptionUse = model.define("loyalty_redemption_use", {
  id: model.id({ prefix: "lruse" }).primaryKey(),
  code: model.text(),
  redemption_id: model.text(),
  cart_id: model.text(),
  customer_id: model.text().nullable(),
  /** Set when the order is known (settlement). */
  order_id: model.text().nullable(),
})

export default LoyaltyRedemption
