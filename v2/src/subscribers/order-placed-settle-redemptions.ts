import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { afterCompletionsInFlight } from "../lib/checkouts-in-flight"
import { settleRedemptionsForOrder } from "../workflows/redemption/settle"

/**
 * order.placed → the loyalty redemption codes the order used become settled (idempotent; reconcile repairs a lost
 * event). Called directly, not through settleOrderRedemptionsWorkflow: an order without a code then costs a read of
 * its promotions and nothing more (see settleRedemptionsForOrder). It starts once the checkouts in flight have answered.
 */
export default async function orderPlacedSettleRedemptions({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await afterCompletionsInFlight()
  await settleRedemptionsForOrder(container, data.id)
}

export const config: SubscriberConfig = { event: "order.placed", context: { subscriberId: "loyalty-order-placed-settle-redemptions" } }
