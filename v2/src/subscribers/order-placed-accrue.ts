import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { afterCompletionsInFlight } from "../lib/checkouts-in-flight"
import { accrueOrder } from "../workflows/order-points/workflows"

/**
 * order.placed → the order's points, exactly once (the idempotency key makes redeliveries no-ops: one lookup), once
 * the checkouts in flight have answered (the shopper's answer does not wait for the award).
 */
export default async function orderPlacedAccrue({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await afterCompletionsInFlight()
  await accrueOrder(container, data.id)
}

export const config: SubscriberConfig = { event: "order.placed", context: { subscriberId: "loyalty-order-placed-accrue" } }
