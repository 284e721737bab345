import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyLedgerService from "../services/loyalty-ledger"
import type LoyaltyRulesService from "../services/loyalty-rules"
import { runForEvent } from "../utils/subscriber-run"

/**
 * customer.created → open a loyalty account when `auto_enroll` is on. Guest checkouts also create customers
 * (`has_account: false`): they are not members. The payload carries password_hash: never log it.
 */
export default async function customerCreatedEnroll({
  data,
  container,
}: SubscriberArgs<{ id: string; has_account?: boolean }>): Promise<void> {
  const rules: LoyaltyRulesService = container.resolve("loyaltyRulesService")
  if (!rules.options.auto_enroll || !data.has_account) {
    return
  }
  await runForEvent<LoyaltyLedgerService>(container, "loyaltyLedgerService", `enrolling customer ${data.id}`, (s) =>
    s.ensureAccount(data.id)
  )
}

export const config: SubscriberConfig = {
  event: "customer.created",
  context: { subscriberId: "loyalty-customer-created-enroll" },
}
