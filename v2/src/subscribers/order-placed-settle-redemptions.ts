import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { settleOrderRedemptionsWorkflow } from "../workflows/redemption/workflows"

/** order.placed → the loyalty redemption codes the order used become settled (idempotent; reconcile repairs a lost event). */
export default async function orderPlacedSettleRedemptions({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await settleOrderRedemptionsWorkflow(container).run({ input: { order_id: data.id } })
}

export const config: SubscriberConfig = { event: "order.placed", context: { subscriberId: "loyalty-order-placed-settle-redemptions" } }
