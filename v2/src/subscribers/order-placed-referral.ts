import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { afterCompletionsInFlight } from "../lib/checkouts-in-flight"
import { awardReferral } from "../workflows/referrals/workflows"

/**
 * order.placed → when it is the first order of a member who attached a referral code, both sides' awards (once),
 * once the checkouts in flight have answered.
 */
export default async function orderPlacedReferral({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await afterCompletionsInFlight()
  await awardReferral(container, data.id)
}

export const config: SubscriberConfig = { event: "order.placed", context: { subscriberId: "loyalty-order-placed-referral" } }
