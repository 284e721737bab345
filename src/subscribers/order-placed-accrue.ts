import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyAccrualService from "../services/loyalty-accrual"
import { runForEvent } from "../utils/subscriber-run"

/** order.placed → the order's points, exactly once (the idempotency key makes redeliveries no-ops). */
export default async function orderPlacedAccrue({ data, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  await runForEvent<LoyaltyAccrualService>(container, "loyaltyAccrualService", `accrual for order ${data.id}`, (s) =>
    s.awardOrder(data.id)
  )
}

export const config: SubscriberConfig = {
  event: "order.placed",
  context: { subscriberId: "loyalty-order-placed-accrue" },
}
