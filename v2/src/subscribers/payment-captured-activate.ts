import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { activateOrder } from "../workflows/jobs/activate"
import { orderOfPayment } from "../workflows/order-points/order-facts"

/**
 * payment.captured ({ id: payment id }) → with `spendable_on: "captured"`, the order's pending points become
 * available when the capture was the last condition, so they do not wait for the hourly job. Idempotent
 * (`order:{id}:activation`); a lost event is repaired by the hourly activate job.
 */
export default async function paymentCapturedActivate({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  const order_id = await orderOfPayment(container, data.id)
  if (!order_id) return
  await activateOrder(container, order_id, new Date())
}

export const config: SubscriberConfig = { event: "payment.captured", context: { subscriberId: "loyalty-payment-captured-activate" } }
