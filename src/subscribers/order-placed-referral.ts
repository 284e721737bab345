import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyReferralService from "../services/loyalty-referral"
import { runForEvent } from "../utils/subscriber-run"

/** order.placed → when it is the first order of a member who attached a referral code, both sides' `referral` awards (once). */
export default async function orderPlacedReferral({ data, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  await runForEvent<LoyaltyReferralService>(container, "loyaltyReferralService", `referral awards for order ${data.id}`, (s) =>
    s.awardFirstOrder(data.id)
  )
}

export const config: SubscriberConfig = {
  event: "order.placed",
  context: { subscriberId: "loyalty-order-placed-referral" },
}
