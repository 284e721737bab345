import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyActionService from "../services/loyalty-action"
import type LoyaltyRulesService from "../services/loyalty-rules"
import { runForEvent } from "../utils/subscriber-run"

/**
 * customer.created → the `signup` earning action (reference: the customer id, so once per customer whatever the
 * redelivery) for a registered customer whose account is opened on registration (`auto_enroll`). Skipped when the
 * rulebook has no action rules. The payload carries password_hash: only id, has_account and created_at are read.
 */
export default async function customerCreatedSignup({
  data,
  container,
}: SubscriberArgs<{ id: string; has_account?: boolean; created_at?: string | Date }>): Promise<void> {
  const rules: LoyaltyRulesService = container.resolve("loyaltyRulesService")
  if (!rules.options.auto_enroll || !data.has_account || (rules.findRulebook()?.actions.length ?? 0) === 0) return
  const occurred_at = data.created_at ? new Date(data.created_at).toISOString() : undefined
  await runForEvent<LoyaltyActionService>(container, "loyaltyActionService", `signup of customer ${data.id}`, (s) =>
    s.report({ customer_id: data.id, type: "signup", reference: data.id, occurred_at })
  )
}

export const config: SubscriberConfig = {
  event: "customer.created",
  context: { subscriberId: "loyalty-customer-created-signup" },
}
