import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { reportSignup } from "../workflows/actions/report"

/** customer.created → the `signup` earning action of a registered customer, once (reference: the customer id). */
export default async function customerCreatedSignup({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await reportSignup(container, data.id)
}

export const config: SubscriberConfig = { event: "customer.created", context: { subscriberId: "loyalty-customer-created-signup" } }
