import type { ScheduledJobArgs, ScheduledJobConfig } from "@medusajs/medusa"
import { runActivateJob, runScheduled } from "../utils/loyalty-jobs"

/** Hourly: pending points whose pending period is over become available. */
export default async function loyaltyActivate({ container }: ScheduledJobArgs): Promise<void> {
  await runScheduled(container, "activate", async () => ({ summary: await runActivateJob(container, new Date()) }))
}

export const config: ScheduledJobConfig = {
  name: "loyalty-activate",
  schedule: "7 * * * *", // every hour at minute 7
  data: {},
}
