import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyCartPointsService from "../services/loyalty-cart-points"
import { runForEvent } from "../utils/subscriber-run"

/** order.refund_created → each refund gives back its share of the points the order was paid with, once per refund. */
export default async function orderRefundCreatedPointsBack({ data, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  await runForEvent<LoyaltyCartPointsService>(container, "loyaltyCartPointsService", `points paid back for order ${data.id}`, (s) =>
    s.giveBackOnRefunds(data.id)
  )
}

export const config: SubscriberConfig = {
  event: "order.refund_created",
  context: { subscriberId: "loyalty-order-refund-created-points-back" },
}
