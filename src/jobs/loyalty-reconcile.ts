import type { ScheduledJobArgs, ScheduledJobConfig } from "@medusajs/medusa"
import { runScheduled } from "../utils/scheduled-job"
import { ReconcileDefaults } from "../domain/ledger/reconcile"
import { MINUTE_MS } from "../domain/shared/time"
import type LoyaltyJobsService from "../services/loyalty-jobs"

/**
 * Hourly: order events of the last 7 days the ledger has not seen (lost events, crashes) are applied. The last
 * minutes are left to the event handlers still delivering them (the next run covers them); at most 5,000 per run.
 */
export default async function loyaltyReconcile({ container }: ScheduledJobArgs): Promise<void> {
  await runScheduled(container, "reconcile", async (logger) => {
    const { days, settle_minutes, limit } = ReconcileDefaults.job
    const now = new Date()
    const until = new Date(now.getTime() - settle_minutes * MINUTE_MS)
    const { failures, ...counts } = await container.resolve<LoyaltyJobsService>("loyaltyJobsService").reconcile({ until, limit, default_days: days }, now)
    for (const f of failures.slice(0, 20)) {
      logger.warn(`loyalty: reconcile ${f.kind} of order ${f.order_id}${f.refund_id ? ` refund ${f.refund_id}` : ""} failed: ${f.code} ${f.message}`)
    }
    return { summary: { ...counts, failed: failures.length }, warn: failures.length > 0 }
  })
}

export const config: ScheduledJobConfig = {
  name: "loyalty-reconcile",
  schedule: "23 * * * *", // every hour at minute 23
  data: {},
}
