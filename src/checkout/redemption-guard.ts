import type { EntityManager } from "typeorm"
import type LoyaltyCheckoutService from "../services/loyalty-checkout"
import type { ClaimOutcome } from "../services/loyalty-checkout"
import { refusalResponse, type RefusalResponse } from "../domain/http/checkout-refusal"
import { completeWithCartPoints, prepareCartPoints } from "./cart-points"

/** What the guard needs from a container: Medusa's awilix cradle/container or a request scope. */
export type Resolver = { resolve<T = unknown>(name: string): T }

/** The part of a cart completion answer the guard reads (Medusa's handlers return this shape). */
type Completion = { response_code?: number; response_body?: { type?: string; data?: { id?: string } } | Record<string, unknown> }

/**
 * Wraps the step of a cart completion strategy that creates the order (Medusa's `handlePaymentAuthorized`), inside
 * that step's transaction `manager`. First every loyalty redemption code on the cart is claimed under a unique key:
 * a code another cart already used, someone else's code, or an expired one refuses the checkout with a 400
 * `{ code, type, message }` and cancels the cart's payment authorization (as Medusa does when stock runs out).
 * Otherwise `createOrder` runs; if it ends without an order, the claims are released in the same transaction.
 * Invariant: a committed claim belongs to exactly one cart, and a code pays for at most one order.
 * guardCompletionStrategy installs it around a store's strategy; a strategy that creates orders elsewhere calls it
 * itself (see docs/checkout-safety.md).
 */
export async function completeWithRedemptionClaims<R extends Completion>(
  container: Resolver,
  manager: EntityManager,
  cart_id: string,
  createOrder: (claim: ClaimOutcome) => Promise<R>
): Promise<R | RefusalResponse> {
  const checkout = container.resolve<LoyaltyCheckoutService>("loyaltyCheckoutService").withTransaction(manager)
  const claim = await checkout.claim(cart_id)
  const { refusal, claimed_discount_ids, held } = claim
  if (refusal) {
    return await checkout.refuseCompletion(cart_id, refusal)
  }
  const result = await createOrder(claim)
  if (!held) return result // no loyalty code on the cart: nothing to attach or release
  const body = result.response_body as { type?: string; data?: { id?: string } } | undefined
  if (body?.type === "order" && body.data?.id) {
    await checkout.attachOrder(cart_id, body.data.id)
  } else {
    await checkout.release(cart_id, claimed_discount_ids)
  }
  return result
}

/**
 * The early refusal of a checkout, before anything is written or authorized: the same answer the claim would give
 * now, or null. Advisory only (completeWithRedemptionClaims decides); call it first in a strategy's `complete`.
 */
export async function precheckRedemptions(container: Resolver, cart_id: string): Promise<RefusalResponse | null> {
  const refusal = await container.resolve<LoyaltyCheckoutService>("loyaltyCheckoutService").precheckCart(cart_id)
  return refusal ? refusalResponse(refusal) : null
}

/**
 * precheckRedemptions and prepareCartPoints from one read of the cart when it pays with no points: a cart without
 * loyalty costs one statement here (no lock, no write, no transaction). Advisory, as both.
 */
export async function precheckCompletion(container: Resolver, cart_id: string): Promise<RefusalResponse | null> {
  const { refusal, points_applied } = await container.resolve<LoyaltyCheckoutService>("loyaltyCheckoutService").precheckCompletion(cart_id)
  if (refusal) return refusalResponse(refusal)
  return points_applied ? await prepareCartPoints(container, cart_id) : null
}

/** A cart completion strategy as Medusa v1 calls it: `complete`, which runs `handlePaymentAuthorized` to create the order. */
type CompletionStrategy = {
  complete(id: string, ikey: { recovery_point: string }, context: unknown): Promise<unknown>
  handlePaymentAuthorized?(id: string, o: { manager: EntityManager }): Promise<Completion>
}

const GUARDED = Symbol.for("medusa-plugin-loyalty-rules.completion-guard")

/**
 * Puts the claim (and inside it the debit of points applied to the cart, checkout/cart-points.ts) around the
 * order-creating step of whichever cart completion strategy the store runs (Medusa's, or
 * the store's own when it keeps Medusa's `handlePaymentAuthorized` step), once per strategy instance (Medusa
 * registers it as a singleton). Wrapping the instance rather than registering a strategy of our own keeps a store's
 * strategy in place: Medusa registers plugins' strategies concurrently, so which of two registrations wins is not
 * defined. A strategy that creates orders elsewhere calls completeWithRedemptionClaims itself (double guarding is
 * harmless: a cart's second claim of its own code is a no-op).
 */
export function guardCompletionStrategy(strategy: CompletionStrategy, container: Resolver): void {
  const marked = strategy as CompletionStrategy & { [GUARDED]?: true }
  if (marked[GUARDED]) return
  const complete = strategy.complete
  const handlePaymentAuthorized = strategy.handlePaymentAuthorized
  marked.complete = async function (this: CompletionStrategy, id, ikey, context) {
    if (ikey.recovery_point === "started") {
      const refused = await precheckCompletion(container, id)
      if (refused) return refused // nothing authorized or written yet; the idempotency key stays at "started"
    }
    return await complete.call(this, id, ikey, context)
  }
  if (handlePaymentAuthorized) {
    marked.handlePaymentAuthorized = async function (this: CompletionStrategy, id, o) {
      // Codes first, then points: a redemption row lock before the member's account lock, the order the expiry void
      // takes them in (the negative-balance void, account first, skips locked codes instead of waiting).
      // The claim's read of the cart tells whether it pays with points (same transaction): without, no second read.
      return await completeWithRedemptionClaims(container, o.manager, id, (claim) =>
        completeWithCartPoints(container, o.manager, id, () => handlePaymentAuthorized.call(this, id, o), claim)
      )
    }
  }
  marked[GUARDED] = true
}
