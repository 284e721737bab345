import type { Logger } from "@medusajs/medusa"
import type LoyaltyPromotionService from "../services/loyalty-promotion"

type Container = { resolve<T>(key: string): T }

/**
 * Runs at boot, after services and the database are ready (Medusa runs plugin loaders after registering plugin
 * services, before the API listens): makes the store's member discounts and customer groups match the promotions
 * files. Never stops the boot: a failure is logged and the admin route (POST /admin/loyalty/promotions/reconcile),
 * the next boot or the next region.created event runs it again.
 */
export default async function reconcilePromotions(container: Container): Promise<void> {
  const logger: Logger = container.resolve("logger")
  try {
    const service: LoyaltyPromotionService = container.resolve("loyaltyPromotionService")
    const result = await service.reconcile()
    const problems = [...result.conflicts, ...result.failed, ...result.pending]
    logger.info(
      `medusa-plugin-loyalty-rules: promotions reconciled (created ${result.created.length}, updated ${result.updated.length}, ` +
        `disabled ${result.disabled.length}, unchanged ${result.unchanged.length})` +
        (problems.length ? `; ${problems.map((p) => `${p.code}: ${p.reason}`).join("; ")}` : "")
    )
  } catch (e) {
    logger.error(`medusa-plugin-loyalty-rules: reconciling promotions at boot failed: ${(e as Error).message}`)
  }
}
