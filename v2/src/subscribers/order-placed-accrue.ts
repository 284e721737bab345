import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { accrueOrderWorkflow } from "../workflows/order-points/workflows"

/** order.placed → the order's points, exactly once (the idempotency key makes redeliveries no-ops). */
export default async function orderPlacedAccrue({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await accrueOrderWorkflow(container).run({ input: { order_id: data.id } })
}

export const config: SubscriberConfig = { event: "order.placed", context: { subscriberId: "loyalty-order-placed-accrue" } }
