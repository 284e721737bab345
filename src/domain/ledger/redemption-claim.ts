/**
 * Redemption claims: whether a checkout may use a loyalty redemption code. A code pays for at most one order; the
 * adapter enforces that with a unique claim per discount, written in the transaction that creates the order. This
 * file is the decision both the early checks (a code applied to a cart, a cart about to authorize payment) and the
 * claim itself give, so a shopper sees the same refusal wherever it happens.
 */
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"

export type RedemptionStatus = "reserved" | "settled" | "voided"

/** What the decision needs to know of a redemption. */
export interface ClaimableRedemption {
  readonly id: string
  readonly customer_id: string
  readonly discount_code: string
  readonly status: RedemptionStatus
  readonly expires_at: Date
}

/** Who wants to use the code and what already holds it. */
export interface ClaimAttempt {
  /** The customer of the cart (or of the request applying the code); null for a guest without a customer yet. */
  readonly customer_id: string | null
  /** The cart whose claim already holds the code, if any (null: unclaimed). */
  readonly claimed_by_cart_id: string | null
  /** The cart attempting the checkout; null when the code is being applied (any claim then means used). */
  readonly cart_id: string | null
  readonly now: Date
}

/**
 * The refusal a checkout gets for `redemption`, or null when it may use the code. Checked in this order, so a
 * stranger learns nothing about someone else's code: not the member's own → REDEMPTION_NOT_YOURS; settled, or
 * claimed by another cart → REDEMPTION_ALREADY_USED; voided or past expires_at → REDEMPTION_EXPIRED.
 * A claim by the same cart is never a refusal (a retried completion of the cart that won, whatever the status since).
 * Invariant: null only for the redeeming member's own code that this cart holds, or that is reserved, unexpired and
 * held by no cart.
 */
export function claimRefusal(redemption: ClaimableRedemption, attempt: ClaimAttempt): LoyaltyError | null {
  const code = redemption.discount_code
  const details = { discount_code: code, redemption_id: redemption.id }
  if (attempt.customer_id !== redemption.customer_id) {
    return new LoyaltyError(
      LoyaltyErrorCodes.REDEMPTION_NOT_YOURS,
      `Discount code ${code} is a loyalty reward of another customer: only the member who redeemed it can use it, signed in. Remove the code to complete the order without it.`,
      details
    )
  }
  if (attempt.cart_id !== null && attempt.claimed_by_cart_id === attempt.cart_id) {
    return null // this cart won the code earlier: a retried or concurrent completion of the same cart
  }
  if (redemption.status === "settled" || attempt.claimed_by_cart_id !== null) {
    return new LoyaltyError(
      LoyaltyErrorCodes.REDEMPTION_ALREADY_USED,
      `Discount code ${code} has already been used for another order: a loyalty reward pays for one order only. Remove the code to complete the order without it.`,
      details
    )
  }
  if (redemption.status === "voided" || redemption.expires_at.getTime() <= attempt.now.getTime()) {
    return new LoyaltyError(
      LoyaltyErrorCodes.REDEMPTION_EXPIRED,
      `Discount code ${code} has expired${redemption.status === "voided" ? " and its points went back to your balance" : ""}. Remove the code to complete the order without it.`,
      details
    )
  }
  return null
}

/** The error codes a checkout refusal can carry (for storefronts switching on `code`). */
export const CLAIM_REFUSAL_CODES = [
  LoyaltyErrorCodes.REDEMPTION_NOT_YOURS,
  LoyaltyErrorCodes.REDEMPTION_ALREADY_USED,
  LoyaltyErrorCodes.REDEMPTION_EXPIRED,
] as const
