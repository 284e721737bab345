import type { Logger, SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type { EntityManager } from "typeorm"
import type LoyaltyAccrualService from "../services/loyalty-accrual"

/**
 * order.placed → accrue points once. Medusa resolves services from the root container for subscribers, so
 * concurrent handlers would share one instance: run each in its own transaction-bound clone.
 */
export default async function orderPlacedAccrue({ data, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  const manager: EntityManager = container.resolve("manager")
  const accrual: LoyaltyAccrualService = container.resolve("loyaltyAccrualService")
  const logger: Logger = container.resolve("logger")
  try {
    await manager.transaction((m) => accrual.withTransaction(m).awardOrder(data.id))
  } catch (e) {
    // The local event bus swallows errors without retry: log loudly; the reconcile sweep picks the order up.
    logger.error(`loyalty: accrual for order ${data.id} failed: ${(e as Error).message}`)
    throw e
  }
}

export const config: SubscriberConfig = {
  event: "order.placed",
  context: { subscriberId: "loyalty-order-placed-accrue" },
}
