import type { ScheduledJobArgs, ScheduledJobConfig } from "@medusajs/medusa"
import { runScheduled } from "../utils/scheduled-job"
import type LoyaltyJobsService from "../services/loyalty-jobs"

/** Hourly: pending points whose pending period is over become available. */
export default async function loyaltyActivate({ container }: ScheduledJobArgs): Promise<void> {
  await runScheduled(container, "activate", async () => ({ summary: await container.resolve<LoyaltyJobsService>("loyaltyJobsService").activate(new Date()) }))
}

export const config: ScheduledJobConfig = {
  name: "loyalty-activate",
  schedule: "7 * * * *", // every hour at minute 7
  data: {},
}
