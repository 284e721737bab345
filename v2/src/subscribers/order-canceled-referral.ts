import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { reverseReferralWorkflow } from "../workflows/referrals/workflows"

/** order.canceled → the referral awards of that order (both sides) taken back by new entries, once. */
export default async function orderCanceledReferral({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await reverseReferralWorkflow(container).run({ input: { order_id: data.id } })
}

export const config: SubscriberConfig = { event: "order.canceled", context: { subscriberId: "loyalty-order-canceled-referral" } }
