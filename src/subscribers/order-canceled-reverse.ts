import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyAccrualService from "../services/loyalty-accrual"
import { runForEvent } from "../utils/subscriber-run"

/** order.canceled → take back what the order earned, once; before its accrual, leave a tombstone. */
export default async function orderCanceledReverse({ data, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  await runForEvent<LoyaltyAccrualService>(container, "loyaltyAccrualService", `reversal for order ${data.id}`, (s) =>
    s.reverseOrder(data.id)
  )
}

export const config: SubscriberConfig = {
  event: "order.canceled",
  context: { subscriberId: "loyalty-order-canceled-reverse" },
}
