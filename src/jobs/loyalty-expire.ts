import type { ScheduledJobArgs, ScheduledJobConfig } from "@medusajs/medusa"
import { runExpireJob, runScheduled } from "../utils/loyalty-jobs"

/** Daily: void expired redemption codes, then expire points older than the program's period (FIFO). */
export default async function loyaltyExpire({ container }: ScheduledJobArgs): Promise<void> {
  await runScheduled(container, "expire", async () => ({ summary: await runExpireJob(container, new Date()) }))
}

export const config: ScheduledJobConfig = {
  name: "loyalty-expire",
  schedule: "15 2 * * *", // every day at 02:15 (server time)
  data: {},
}
