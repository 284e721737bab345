import type { MedusaContainer } from "@medusajs/framework/types"
import { ReconcileDefaults } from "../core/domain/ledger/reconcile"
import { MINUTE_MS } from "../core/domain/shared/time"
import { runReconcileJob } from "../workflows/jobs/reconcile"
import { runScheduled } from "../lib/scheduled"

/**
 * Hourly: the order events of the last 7 days the ledger has not seen (lost events), applied once. The last minutes
 * are left to the event handlers still delivering them (the next run covers them); the core's job defaults, as v1.
 */
export default async function loyaltyReconcile(container: MedusaContainer): Promise<void> {
  const { days, settle_minutes, limit } = ReconcileDefaults.job
  await runScheduled(container, "reconcile", () => {
    const now = new Date()
    return runReconcileJob(container, { now, until: new Date(now.getTime() - settle_minutes * MINUTE_MS), default_days: days, limit })
  })
}

// Every hour at minute 23: the schedule docs/operations.md publishes.
export const config = { name: "loyalty-reconcile", schedule: "23 * * * *" }
