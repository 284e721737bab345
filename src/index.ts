/** Programmatic entry points for tools (CLI, tests); Medusa itself loads services, routes and subscribers by folder. */
export { compileRulebook } from "./domain/rulebook"
export { evaluateAccrual } from "./domain/accrual"
export { LoyaltyError, LoyaltyErrorCodes, isLoyaltyError } from "./domain/errors"
export { parsePluginOptions } from "./domain/options"
/** For a store's own cart completion strategy: claim loyalty codes in the order's transaction (docs/checkout-safety.md). */
export { completeWithRedemptionClaims, precheckRedemptions } from "./utils/redemption-guard"
export { claimRefusal } from "./domain/redemption-claim"
