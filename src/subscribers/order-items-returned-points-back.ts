import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyCartPointsService from "../services/loyalty-cart-points"
import { runForEvent } from "../utils/subscriber-run"

/** order.items_returned (a received return refunds without refund_created) → the refunds give back their share of the points. */
export default async function orderItemsReturnedPointsBack({ data, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  await runForEvent<LoyaltyCartPointsService>(container, "loyaltyCartPointsService", `points paid back for order ${data.id}`, (s) =>
    s.giveBackOnRefunds(data.id)
  )
}

export const config: SubscriberConfig = {
  event: "order.items_returned",
  context: { subscriberId: "loyalty-order-items-returned-points-back" },
}
