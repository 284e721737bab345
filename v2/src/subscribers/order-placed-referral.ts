import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { awardReferral } from "../workflows/referrals/workflows"

/** order.placed → when it is the first order of a member who attached a referral code, both sides' awards (once). */
export default async function orderPlacedReferral({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await awardReferral(container, data.id)
}

export const config: SubscriberConfig = { event: "order.placed", context: { subscriberId: "loyalty-order-placed-referral" } }
