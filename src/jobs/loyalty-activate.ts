import type { Logger, ScheduledJobArgs, ScheduledJobConfig } from "@medusajs/medusa"
import { runActivateJob } from "../utils/loyalty-jobs"

/** Hourly: pending points whose pending period is over become available. */
export default async function loyaltyActivate({ container }: ScheduledJobArgs): Promise<void> {
  const logger = container.resolve<Logger>("logger")
  try {
    const counts = await runActivateJob(container, new Date())
    logger.info(`loyalty: activate job: ${JSON.stringify(counts)}`)
  } catch (e) {
    logger.error(`loyalty: activate job failed: ${(e as Error).message}`)
    throw e
  }
}

export const config: ScheduledJobConfig = {
  name: "loyalty-activate",
  schedule: "7 * * * *", // every hour at minute 7
  data: {},
}
