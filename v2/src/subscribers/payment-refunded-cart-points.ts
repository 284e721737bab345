import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { orderOfPayment } from "../workflows/order-points/order-facts"
import { giveBackRefundedOrderPoints } from "../workflows/cart-points/cart-points"

/** payment.refunded ({ id: payment id }) → each refund gives back its share of the points the order was paid with, once. */
export default async function paymentRefundedCartPoints({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  const order_id = await orderOfPayment(container, data.id)
  if (order_id) await giveBackRefundedOrderPoints(container, order_id)
}

export const config: SubscriberConfig = { event: "payment.refunded", context: { subscriberId: "loyalty-payment-refunded-cart-points" } }
