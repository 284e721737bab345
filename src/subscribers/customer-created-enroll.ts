import type { Logger, SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type { EntityManager } from "typeorm"
import type LoyaltyLedgerService from "../services/loyalty-ledger"
import type LoyaltyRulesService from "../services/loyalty-rules"

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
  const manager: EntityManager = container.resolve("manager")
  const ledger: LoyaltyLedgerService = container.resolve("loyaltyLedgerService")
  try {
    await manager.transaction((m) => ledger.withTransaction(m).ensureAccount(data.id))
  } catch (e) {
    container.resolve<Logger>("logger").error(`loyalty: enrolling customer ${data.id} failed: ${(e as Error).message}`)
    throw e
  }
}

export const config: SubscriberConfig = {
  event: "customer.created",
  context: { subscriberId: "loyalty-customer-created-enroll" },
}
