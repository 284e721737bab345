import type { MedusaContainer } from "@medusajs/framework/types"
import { runTiersJob } from "../workflows/jobs/tiers"
import { runScheduled } from "../lib/scheduled"

/** Daily: re-evaluate every member's tier (365-day window facts move with time; downgrade grace periods end). */
export default async function loyaltyTiers(container: MedusaContainer): Promise<void> {
  await runScheduled(container, "tiers", () => runTiersJob(container, new Date()))
}

// Every day at 02:45, after the expire job, so tier conditions read the balances it left.
export const config = { name: "loyalty-tiers", schedule: "45 2 * * *" }
