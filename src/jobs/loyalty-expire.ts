import type { Logger, ScheduledJobArgs, ScheduledJobConfig } from "@medusajs/medusa"
import { runExpireJob } from "../utils/loyalty-jobs"

/** Daily: void expired redemption codes, then expire points older than the program's period (FIFO). */
export default async function loyaltyExpire({ container }: ScheduledJobArgs): Promise<void> {
  const logger = container.resolve<Logger>("logger")
  try {
    const result = await runExpireJob(container, new Date())
    logger.info(`loyalty: expire job: ${JSON.stringify(result)}`)
  } catch (e) {
    logger.error(`loyalty: expire job failed: ${(e as Error).message}`)
    throw e
  }
}

export const config: ScheduledJobConfig = {
  name: "loyalty-expire",
  schedule: "15 2 * * *", // every day at 02:15 (server time)
  data: {},
}
