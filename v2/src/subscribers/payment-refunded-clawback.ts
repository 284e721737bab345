import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { orderOfPayment } from "../workflows/order-points/order-facts"
import { clawbackRefundsWorkflow } from "../workflows/order-points/workflows"

/** payment.refunded ({ id: payment id }) → claw back the refunded share of the order's points, once per refund. */
export default async function paymentRefundedClawback({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  const order_id = await orderOfPayment(container, data.id)
  if (!order_id) return
  await clawbackRefundsWorkflow(container).run({ input: { order_id } })
}

export const config: SubscriberConfig = { event: "payment.refunded", context: { subscriberId: "loyalty-payment-refunded-clawback" } }
