import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyAccrualService from "../services/loyalty-accrual"
import { runForEvent } from "../utils/subscriber-run"

/** order.refund_created → claw back the refunded share of the order's points, once per refund. */
export default async function orderRefundCreatedClawback({ data, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  await runForEvent<LoyaltyAccrualService>(container, "loyaltyAccrualService", `clawback for order ${data.id}`, (s) =>
    s.clawbackRefunds(data.id)
  )
}

export const config: SubscriberConfig = {
  event: "order.refund_created",
  context: { subscriberId: "loyalty-order-refund-created-clawback" },
}
