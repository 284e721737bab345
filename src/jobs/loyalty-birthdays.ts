import type { ScheduledJobArgs, ScheduledJobConfig } from "@medusajs/medusa"
import { runScheduled } from "../utils/scheduled-job"
import type LoyaltyJobsService from "../services/loyalty-jobs"

/**
 * Birthdays: the `birthday` action for members whose birthday is today in the program's time zone. Hourly, so the
 * store-local day is covered whatever the time zone; a member earns once a year (later runs find it decided).
 */
export default async function loyaltyBirthdays({ container }: ScheduledJobArgs): Promise<void> {
  await runScheduled(container, "birthdays", async () => {
    const summary = await container.resolve<LoyaltyJobsService>("loyaltyJobsService").birthdays(new Date())
    return { summary, warn: summary.failed > 0 }
  })
}

export const config: ScheduledJobConfig = {
  name: "loyalty-birthdays",
  schedule: "20 * * * *", // every hour at :20
  data: {},
}
