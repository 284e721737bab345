import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyReferralService from "../services/loyalty-referral"
import { runForEvent } from "../utils/subscriber-run"

/** order.canceled → the referral awards of that order (both sides) taken back by new entries, once. */
export default async function orderCanceledReferral({ data, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  await runForEvent<LoyaltyReferralService>(container, "loyaltyReferralService", `referral reversal for order ${data.id}`, (s) =>
    s.reverseOrder(data.id)
  )
}

export const config: SubscriberConfig = {
  event: "order.canceled",
  context: { subscriberId: "loyalty-order-canceled-referral" },
}
