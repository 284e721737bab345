import type { Logger, ScheduledJobArgs, ScheduledJobConfig } from "@medusajs/medusa"
import { runTiersJob } from "../utils/loyalty-jobs"

/** Daily: re-evaluate every member's tier (365-day window facts move with time; downgrade grace periods end). */
export default async function loyaltyTiers({ container }: ScheduledJobArgs): Promise<void> {
  const logger = container.resolve<Logger>("logger")
  try {
    const result = await runTiersJob(container, new Date())
    logger.info(`loyalty: tiers job: ${JSON.stringify(result)}`)
  } catch (e) {
    logger.error(`loyalty: tiers job failed: ${(e as Error).message}`)
    throw e
  }
}

export const config: ScheduledJobConfig = {
  name: "loyalty-tiers",
  schedule: "45 2 * * *", // every day at 02:45 (server time), after the expire job
  data: {},
}
