import type { IdempotencyKey } from "@medusajs/medusa"
import CartCompletionStrategy from "@medusajs/medusa/dist/strategies/cart-completion"
import type { EntityManager } from "typeorm"
import { completeWithRedemptionClaims, precheckRedemptions, type Resolver } from "../utils/redemption-guard"

/**
 * Medusa's own cart completion, with loyalty redemption codes claimed in the transaction that creates the order,
 * so a code pays for at most one order whatever the timing. A store with its own completion strategy overrides
 * this one (the project registers last) and calls the same two functions from it.
 */
export default class LoyaltyCartCompletionStrategy extends CartCompletionStrategy {
  protected readonly resolver_: Resolver

  constructor(cradle: Record<string, unknown>) {
    super(cradle as unknown as ConstructorParameters<typeof CartCompletionStrategy>[0])
    // The cradle resolves lazily: services are looked up per call, after every plugin has registered.
    this.resolver_ = { resolve: <T>(name: string) => cradle[name] as T }
  }

  // Return types: Medusa's handlers declare a closed union of answers; the refusal is one more of the same shape.
  async complete(id: string, ikey: IdempotencyKey, context: Parameters<CartCompletionStrategy["complete"]>[2]): Promise<any> {
    if (ikey.recovery_point === "started") {
      const refused = await precheckRedemptions(this.resolver_, id)
      if (refused) return refused // nothing authorized or written yet; the key stays at "started"
    }
    return await super.complete(id, ikey, context)
  }

  protected async handlePaymentAuthorized(id: string, { manager }: { manager: EntityManager }): Promise<any> {
    return await completeWithRedemptionClaims(this.resolver_, manager, id, () => super.handlePaymentAuthorized(id, { manager }))
  }
}
