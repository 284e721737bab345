import type { ScheduledJobArgs, ScheduledJobConfig } from "@medusajs/medusa"
import { runScheduled } from "../utils/scheduled-job"
import type LoyaltyJobsService from "../services/loyalty-jobs"

/** Daily: re-evaluate every member's tier (365-day window facts move with time; downgrade grace periods end). */
export default async function loyaltyTiers({ container }: ScheduledJobArgs): Promise<void> {
  await runScheduled(container, "tiers", async () => ({ summary: await container.resolve<LoyaltyJobsService>("loyaltyJobsService").tiers(new Date()) }))
}

export const config: ScheduledJobConfig = {
  name: "loyalty-tiers",
  schedule: "45 2 * * *", // every day at 02:45 (server time), after the expire job
  data: {},
}
