import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { orderUsedRedemptions } from "../workflows/redemption/settle"
import { settleOrderRedemptionsWorkflow } from "../workflows/redemption/workflows"

/**
 * order.placed → the loyalty redemption codes the order used become settled (idempotent; reconcile repairs a lost
 * event). The workflow runs only for an order that used one: most orders cost a read of their promotions, no more.
 */
export default async function orderPlacedSettleRedemptions({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  if (await orderUsedRedemptions(container, data.id)) await settleOrderRedemptionsWorkflow(container).run({ input: { order_id: data.id } })
}

export const config: SubscriberConfig = { event: "order.placed", context: { subscriberId: "loyalty-order-placed-settle-redemptions" } }
