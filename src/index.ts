/** Programmatic entry points for tools (CLI, tests); Medusa itself loads services, routes and subscribers by folder. */
export { compileRulebook } from "./domain/rules/rulebook"
export { evaluateAccrual } from "./domain/program/accrual"
export { LoyaltyError, LoyaltyErrorCodes, isLoyaltyError } from "./domain/shared/errors"
export { parsePluginOptions } from "./domain/shared/options"
/** For a store's own cart completion strategy: claim loyalty codes in the order's transaction (docs/checkout-safety.md). */
export { completeWithRedemptionClaims, precheckCompletion, precheckRedemptions } from "./checkout/redemption-guard"
/** The same for points applied to the cart: held and debited in the order's transaction (docs/pay-with-points.md). */
export { completeWithCartPoints, prepareCartPoints } from "./checkout/cart-points"
export { claimRefusal } from "./domain/ledger/redemption-claim"
