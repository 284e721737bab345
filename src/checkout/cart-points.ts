import type { EntityManager } from "typeorm"
import type LoyaltyCartPointsService from "../services/loyalty-cart-points"
import type LoyaltyCheckoutService from "../services/loyalty-checkout"
import { isLoyaltyError } from "../domain/shared/errors"
import { refusalResponse, type RefusalResponse } from "../domain/http/checkout-refusal"

/** What the completion steps need from a container (see redemption-guard.ts). */
type Resolver = { resolve<T = unknown>(name: string): T }
type Completion = { response_code?: number; response_body?: { type?: string; data?: { id?: string } } | Record<string, unknown> }

/**
 * Wraps the order-creating step of a cart completion, inside its transaction `manager`: points applied to the cart
 * are checked under the member's account lock before the order is created (the cart's customer applied them, they
 * still fit the cart, the balance holds them), and debited once the order exists, in the same transaction. A
 * refusal answers 400 `{ code, type: "not_allowed", message }` and cancels the payment authorized for the cart (as a
 * refused redemption code), so the shopper can take the points off and complete without them.
 * Invariant: points are debited only with an order, once per cart, never below a zero balance; a completion that
 * ends without an order debits nothing (the transaction holds nothing else of it).
 * `read.points_applied` false (the redemption claim's read of the cart in this transaction found no points on it)
 * skips the cart's second read; omitted, the cart is read here.
 */
export async function completeWithCartPoints<R extends Completion>(
  container: Resolver,
  manager: EntityManager,
  cart_id: string,
  createOrder: () => Promise<R>,
  read?: { points_applied: boolean }
): Promise<R | RefusalResponse> {
  if (read && !read.points_applied) return await createOrder()
  const points = container.resolve<LoyaltyCartPointsService>("loyaltyCartPointsService").withTransaction(manager)
  let held: Awaited<ReturnType<LoyaltyCartPointsService["holdForCompletion"]>>
  try {
    held = await points.holdForCompletion(cart_id)
  } catch (e) {
    if (!isLoyaltyError(e)) throw e
    return await container.resolve<LoyaltyCheckoutService>("loyaltyCheckoutService").withTransaction(manager).refuseCompletion(cart_id, e)
  }
  const result = await createOrder()
  const body = result.response_body as { type?: string; data?: { id?: string } } | undefined
  if (held && body?.type === "order" && body.data?.id) await points.debitForOrder(held, body.data.id)
  return result
}

/**
 * Before a completion authorizes payment: the points' value is spread over the cart as it is now (it may have
 * changed since they were applied), then the refusal the completion would give now, if any (advisory: the locked
 * check decides).
 */
export async function prepareCartPoints(container: Resolver, cart_id: string): Promise<RefusalResponse | null> {
  // The service is the application's singleton: each use gets its own transaction-bound copy.
  const points = container.resolve<LoyaltyCartPointsService>("loyaltyCartPointsService")
  const manager = container.resolve<EntityManager>("manager")
  await manager.transaction((m) => points.withTransaction(m).respread(cart_id))
  const refusal = await points.withTransaction(manager).precheck(cart_id)
  return refusal ? refusalResponse(refusal) : null
}
