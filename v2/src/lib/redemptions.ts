/**
 * A public import path: stores with their own complete-cart validate hook import the checkout guard from
 * `medusa-plugin-loyalty-rules-v2/lib/redemptions` (README). The code lives with the redemption workflow in
 * workflows/redemption/.
 */
export { toMajorUnits } from "./money"
export { serializeRedemption } from "../core/domain/http/views"
export type { RedemptionRow } from "../modules/loyalty/types"
export { CUSTOMER_RULE_ATTRIBUTE, planRedemption, promotionInput, type RedeemInput, type RedemptionPlan } from "../workflows/redemption/plan"
export {
  claimCartRedemptions,
  guardCartRedemptions,
  promotionRefsOf,
  redemptionsFor,
  releaseCartRedemptions,
  type CartRedemptionClaim,
} from "../workflows/redemption/checkout"
// Paying with points in the cart: the same validate hook debits them (docs/pay-with-points.md).
export { guardCartPoints, releaseCartPoints, type CartPointsDebit } from "../workflows/cart-points/cart-points"
export { settleRedemptionsForOrder, settleUsedRedemptions, STALE_CLAIM_MS, type SettleCounts } from "../workflows/redemption/settle"
export { redemptionVerifyProblems } from "../workflows/redemption/verify"
export { expireRedemptions, type ExpireCounts } from "../workflows/redemption/expire"
