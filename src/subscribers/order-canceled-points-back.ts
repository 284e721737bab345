import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyCartPointsService from "../services/loyalty-cart-points"
import { runForEvent } from "../utils/subscriber-run"

/** order.canceled → the points the order was paid with come back, once (nothing when it was not paid with points). */
export default async function orderCanceledPointsBack({ data, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  await runForEvent<LoyaltyCartPointsService>(container, "loyaltyCartPointsService", `points paid back for order ${data.id}`, (s) =>
    s.giveBackOnCancel(data.id)
  )
}

export const config: SubscriberConfig = {
  event: "order.canceled",
  context: { subscriberId: "loyalty-order-canceled-points-back" },
}
