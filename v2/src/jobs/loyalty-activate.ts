import type { MedusaContainer } from "@medusajs/framework/types"
import { runActivateJob } from "../workflows/jobs/activate"
import { runScheduled } from "../lib/scheduled"

/** Hourly: pending points whose period is over (and, with spendable_on "captured", whose payment is captured) become available. */
export default async function loyaltyActivate(container: MedusaContainer): Promise<void> {
  await runScheduled(container, "activate", () => runActivateJob(container, new Date()))
}

// Every hour at minute 7: the schedule docs/operations.md publishes.
export const config = { name: "loyalty-activate", schedule: "7 * * * *" }
