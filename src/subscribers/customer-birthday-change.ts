import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyBirthdayService from "../services/loyalty-birthday"
import { runForEvent } from "../utils/subscriber-run"

/**
 * customer.created / customer.updated → when `metadata.birthday` was set or changed, a row in
 * loyalty_birthday_change (the birthday job refuses a birthday set or changed in the last 30 days). The payload
 * carries password_hash: only id, metadata and the timestamps are read.
 */
export default async function customerBirthdayChange({
  data,
  container,
}: SubscriberArgs<{ id: string; metadata?: unknown; updated_at?: string | Date; created_at?: string | Date }>): Promise<void> {
  const { id, metadata, updated_at, created_at } = data
  await runForEvent<LoyaltyBirthdayService>(container, "loyaltyBirthdayService", `birthday change of customer ${id}`, (s) =>
    s.recordChange({ id, metadata, updated_at, created_at })
  )
}

export const config: SubscriberConfig = {
  event: ["customer.created", "customer.updated"],
  context: { subscriberId: "loyalty-customer-birthday-change" },
}
