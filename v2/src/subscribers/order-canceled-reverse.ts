import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { reverseOrderWorkflow } from "../workflows/order-points/workflows"

/** order.canceled → take back what the order earned, once; before its accrual, leave a tombstone. */
export default async function orderCanceledReverse({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await reverseOrderWorkflow(container).run({ input: { order_id: data.id } })
}

export const config: SubscriberConfig = { event: "order.canceled", context: { subscriberId: "loyalty-order-canceled-reverse" } }
