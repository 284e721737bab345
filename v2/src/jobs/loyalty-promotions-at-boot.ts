import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { reconcilePromotions } from "../workflows/promotions/reconcile"

/**
 * Once per start of the store, a few seconds after it booted: makes the store's member promotions and their customer
 * groups match the promotions files, as v1's boot loader does (a freshly installed plugin has its promotions without
 * an admin calling POST /admin/loyalty/promotions/reconcile). Medusa 2 gives a plugin no boot loader with the app's
 * container, and a module's start hook sees only its own module: a one-shot scheduled job runs in the app's container
 * on the instance that runs jobs. Never stops the store: a failure is logged, and the admin route, `rules/reload` or
 * the next start runs it again. `LOYALTY_RECONCILE_PROMOTIONS_AT_BOOT=off` skips it.
 */
export default async function loyaltyPromotionsAtBoot(container: MedusaContainer): Promise<void> {
  if (process.env.LOYALTY_RECONCILE_PROMOTIONS_AT_BOOT === "off") return
  const logger = container.resolve<{ info(m: string): void; error(m: string): void }>(ContainerRegistrationKeys.LOGGER)
  try {
    const r = await reconcilePromotions(container)
    const problems = [...r.conflicts, ...r.failed, ...r.pending]
    logger.info(
      `loyalty: promotions reconciled at start (created ${r.created.length}, updated ${r.updated.length}, disabled ${r.disabled.length}, ` +
        `unchanged ${r.unchanged.length})` + (problems.length ? `; ${problems.map((p) => `${p.code}: ${p.reason}`).join("; ")}` : "")
    )
  } catch (e) {
    logger.error(`loyalty: reconciling promotions at start failed: ${(e as Error).message}`)
  }
}

// `interval` + one execution: the first run comes `interval` ms after the jobs are registered at boot, then never again.
export const config = { name: "loyalty-promotions-at-boot", schedule: { interval: 5_000, numberOfExecutions: 1 } }
