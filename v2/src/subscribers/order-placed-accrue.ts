import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { accrueOrder } from "../workflows/order-points/workflows"

/** order.placed → the order's points, exactly once (the idempotency key makes redeliveries no-ops: one lookup). */
export default async function orderPlacedAccrue({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await accrueOrder(container, data.id)
}

export const config: SubscriberConfig = { event: "order.placed", context: { subscriberId: "loyalty-order-placed-accrue" } }
