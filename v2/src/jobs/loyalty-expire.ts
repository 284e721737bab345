import type { MedusaContainer } from "@medusajs/framework/types"
import { runExpireJob } from "../workflows/jobs/expire"
import { runScheduled } from "../lib/scheduled"

/** Daily: expire points older than the program's period (FIFO), once per member and day. */
export default async function loyaltyExpire(container: MedusaContainer): Promise<void> {
  await runScheduled(container, "expire", () => runExpireJob(container, new Date()))
}

// Every day at 02:15 (server time): the schedule docs/operations.md publishes.
export const config = { name: "loyalty-expire", schedule: "15 2 * * *" }
