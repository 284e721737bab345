/**
 * The periodic jobs of the v2 plugin, with the plugin's public names and result shapes (docs/operations.md): expire,
 * activate, tiers, reconcile (one file each here). Called by the scheduled jobs (src/jobs), the admin routes (POST
 * /admin/loyalty/jobs/*) and the `medusa exec` script (src/scripts/loyalty-jobs.ts). Every run is idempotent. `now`
 * is a parameter so tests and operators can run a job as of another time; the routes and schedules pass the server
 * clock. This file holds what they share: a failure recorded per member or order, and the walk over the accounts.
 */
import { loyaltyOf, type Resolver } from "../../lib/container"

/** One member or order the job could not handle; the others still ran. */
export type JobFailure = { id: string; message: string }

/** How many accounts or orders a job reads at a time. */
export const JOB_PAGE_SIZE = 200

/** Visits every account (with a positive balance only, when asked) in customer id order, a keyset page at a time. */
export async function eachAccount(scope: Resolver, positive_balance: boolean, visit: (customer_id: string) => Promise<void>): Promise<void> {
  let after = ""
  for (;;) {
    const ids = await loyaltyOf(scope).accountIdsPage({ after, limit: JOB_PAGE_SIZE, positive_balance })
    for (const id of ids) await visit(id)
    if (ids.length < JOB_PAGE_SIZE) return
    after = ids[ids.length - 1]
  }
}
