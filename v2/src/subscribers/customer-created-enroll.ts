import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { enrollCustomerWorkflow } from "../workflows/members/workflows"

/** customer.created → open a loyalty account (auto_enroll) for a registered customer. */
export default async function customerCreatedEnroll({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await enrollCustomerWorkflow(container).run({ input: { customer_id: data.id } })
}

export const config: SubscriberConfig = { event: "customer.created", context: { subscriberId: "loyalty-customer-created-enroll" } }
