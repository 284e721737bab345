import type { ScheduledJobArgs, ScheduledJobConfig } from "@medusajs/medusa"
import { runScheduled } from "../utils/scheduled-job"
import type LoyaltyJobsService from "../services/loyalty-jobs"

/** Daily: void expired redemption codes, then expire points older than the program's period (FIFO). */
export default async function loyaltyExpire({ container }: ScheduledJobArgs): Promise<void> {
  await runScheduled(container, "expire", async () => ({ summary: await container.resolve<LoyaltyJobsService>("loyaltyJobsService").expire(new Date()) }))
}

export const config: ScheduledJobConfig = {
  name: "loyalty-expire",
  schedule: "15 2 * * *", // every day at 02:15 (server time)
  data: {},
}
