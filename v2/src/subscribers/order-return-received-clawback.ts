import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { clawbackRefundsWorkflow } from "../workflows/order-points/workflows"

/**
 * order.return_received → catch up on the order's refunds. A return received without a refund claws nothing back:
 * points follow money (the core's clawbackDecision decides per refund); the refund's own payment.refunded does the
 * same sweep.
 */
export default async function orderReturnReceivedClawback({ event: { data }, container }: SubscriberArgs<{ order_id: string }>) {
  await clawbackRefundsWorkflow(container).run({ input: { order_id: data.order_id } })
}

export const config: SubscriberConfig = { event: "order.return_received", context: { subscriberId: "loyalty-order-return-received-clawback" } }
