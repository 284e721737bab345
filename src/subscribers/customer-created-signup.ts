import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyActionService from "../services/loyalty-action"
import type LoyaltyRulesService from "../services/loyalty-rules"
import { runForEvent } from "../utils/subscriber-run"
import { signupAction } from "../domain/ledger/action"

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
  const signup = signupAction({ customer: data, auto_enroll: rules.options.auto_enroll, action_rules: rules.findRulebook()?.actions.length ?? 0 })
  if (!signup) return
  await runForEvent<LoyaltyActionService>(container, "loyaltyActionService", `signup of customer ${data.id}`, (s) => s.report(signup))
}

export const config: SubscriberConfig = {
  event: "customer.created",
  context: { subscriberId: "loyalty-customer-created-signup" },
}
