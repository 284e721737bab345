import type { MedusaContainer } from "@medusajs/framework/types"
import { runReconcileJob } from "../workflows/jobs/reconcile"
import { runScheduled } from "../lib/scheduled"

/** Hourly: the order events of the last 7 days the ledger has not seen (lost events), applied once. */
export default async function loyaltyReconcile(container: MedusaContainer): Promise<void> {
  await runScheduled(container, "reconcile", () => runReconcileJob(container, { now: new Date(), default_days: 7, limit: 1000 }))
}

// Every hour at minute 23: the schedule docs/operations.md publishes.
export const config = { name: "loyalty-reconcile", schedule: "23 * * * *" }
