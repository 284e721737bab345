import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { giveBackCanceledOrderPoints } from "../workflows/cart-points/cart-points"

/** order.canceled → the points the order was paid with come back, once (a redelivery is a replay of its key). */
export default async function orderCanceledCartPoints({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await giveBackCanceledOrderPoints(container, data.id)
}

export const config: SubscriberConfig = { event: "order.canceled", context: { subscriberId: "loyalty-order-canceled-cart-points" } }
