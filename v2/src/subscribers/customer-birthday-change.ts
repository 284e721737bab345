import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { recordBirthdayChange } from "../workflows/actions/report"

/**
 * customer.created / customer.updated → when `metadata.birthday` was set or changed, a row in loyalty_birthday_change
 * (the birthdays job gives nothing for a birthday changed in the last 30 days).
 */
export default async function customerBirthdayChange({ event: { data }, container }: SubscriberArgs<{ id: string }>) {
  await recordBirthdayChange(container, data.id)
}

export const config: SubscriberConfig = {
  event: ["customer.created", "customer.updated"],
  context: { subscriberId: "loyalty-customer-birthday-change" },
}
