import type { MedusaContainer } from "@medusajs/framework/types"
import { runBirthdaysJob } from "../workflows/actions/report"
import { runScheduled } from "../lib/scheduled"

/**
 * Birthdays: the `birthday` action for members whose birthday is today in the program's time zone. Hourly, so the
 * store-local day is covered whatever the time zone; a member earns once a year (later runs find it decided).
 */
export default async function loyaltyBirthdays(container: MedusaContainer): Promise<void> {
  await runScheduled(container, "birthdays", () => runBirthdaysJob(container, new Date()))
}

// Every hour at :20.
export const config = { name: "loyalty-birthdays", schedule: "20 * * * *" }
