import type { Logger, SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyPromotionService from "../services/loyalty-promotion"

/**
 * region.created → reconcile the member promotions: percentage discounts cover every region, and a store that adds
 * its first region (or its first region in a fixed promotion's currency) gets the pending discounts created.
 */
export default async function regionCreatedReconcilePromotions({ container }: SubscriberArgs<{ id: string }>): Promise<void> {
  try {
    await container.resolve<LoyaltyPromotionService>("loyaltyPromotionService").reconcile()
  } catch (e) {
    container.resolve<Logger>("logger").error(`loyalty: reconciling promotions after region.created failed: ${(e as Error).message}`)
    throw e
  }
}

export const config: SubscriberConfig = {
  event: "region.created",
  context: { subscriberId: "loyalty-region-created-reconcile-promotions" },
}
