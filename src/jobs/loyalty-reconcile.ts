import type { Logger, ScheduledJobArgs, ScheduledJobConfig } from "@medusajs/medusa"
import { ReconcileDefaults, runReconcileJob } from "../utils/loyalty-jobs"

const MINUTE_MS = 60 * 1000

/**
 * Hourly: order events of the last 7 days the ledger has not seen (lost events, crashes) are applied. The last
 * minutes are left to the event handlers still delivering them (the next run covers them); at most 5,000 per run.
 */
export default async function loyaltyReconcile({ container }: ScheduledJobArgs): Promise<void> {
  const logger = container.resolve<Logger>("logger")
  const { days, settle_minutes, limit } = ReconcileDefaults.job
  const now = new Date()
  try {
    const until = new Date(now.getTime() - settle_minutes * MINUTE_MS)
    const result = await runReconcileJob(container, { until, limit, default_days: days }, now)
    const { failures, ...counts } = result
    const log = failures.length ? logger.warn.bind(logger) : logger.info.bind(logger)
    log(`loyalty: reconcile job: ${JSON.stringify({ ...counts, failed: failures.length })}`)
    for (const f of failures.slice(0, 20)) {
      logger.warn(`loyalty: reconcile ${f.kind} of order ${f.order_id}${f.refund_id ? ` refund ${f.refund_id}` : ""} failed: ${f.code} ${f.message}`)
    }
  } catch (e) {
    logger.error(`loyalty: reconcile job failed: ${(e as Error).message}`)
    throw e
  }
}

export const config: ScheduledJobConfig = {
  name: "loyalty-reconcile",
  schedule: "23 * * * *", // every hour at minute 23
  data: {},
}
