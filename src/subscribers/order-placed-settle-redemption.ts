import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyRedemptionService from "../services/loyalty-redemption"
import { runForEvent } from "../utils/subscriber-run"

/** order.placed → redemptions whose code the order used become settled (idempotent: only reserved ones change). */
export default async function orderPlacedSettleRedemption({ data, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  await runForEvent<LoyaltyRedemptionService>(container, "loyaltyRedemptionService", `redemption settlement for order ${data.id}`, (s) =>
    s.settleForOrder(data.id)
  )
}

export const config: SubscriberConfig = {
  event: "order.placed",
  context: { subscriberId: "loyalty-order-placed-settle-redemption" },
}
