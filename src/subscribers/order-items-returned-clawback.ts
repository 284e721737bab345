import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyAccrualService from "../services/loyalty-accrual"
import { runForEvent } from "../utils/subscriber-run"

/**
 * order.items_returned → claw back for the refund Medusa creates when it receives a return (that path emits no
 * order.refund_created). A return received without a refund claws nothing back: points follow money.
 */
export default async function orderItemsReturnedClawback({ data, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  await runForEvent<LoyaltyAccrualService>(container, "loyaltyAccrualService", `clawback for returned order ${data.id}`, (s) =>
    s.clawbackRefunds(data.id)
  )
}

export const config: SubscriberConfig = {
  event: "order.items_returned",
  context: { subscriberId: "loyalty-order-items-returned-clawback" },
}
