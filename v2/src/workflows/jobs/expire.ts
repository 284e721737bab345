import type { MedusaContainer } from "@medusajs/framework/types"
import { loyaltyOf } from "../../lib/container"
import { expireRedemptions, type ExpireCounts as RedemptionExpireCounts } from "../redemption/expire"
import { eachAccount, type JobFailure } from "./each-account"
import { expireAccountWorkflow } from "./workflows"
import { remindExpiringPoints, type ReminderCounts } from "./reminders"

export type ExpiryCounts = { enabled: boolean; accounts_checked: number; entries_posted: number; points_expired: number }

/**
 * expire: every account with a positive balance loses the points older than the program's `expiry.after_months`
 * that it has not spent (FIFO), one entry per member and UTC day. `enabled: false` when points never expire.
 * `redemptions`: expired redemption codes voided first by the same run, their points given back, so they are
 * not expired with the rest. `reminders`: then members whose next points expire within `expiry_reminder_days` get
 * `loyalty.points_expiring`, once per member and expiry date.
 */
export async function runExpireJob(
  scope: MedusaContainer,
  now: Date
): Promise<{ expiry: ExpiryCounts; redemptions: RedemptionExpireCounts; reminders: ReminderCounts; failures: JobFailure[] }> {
  const redemptions = await expireRedemptions(scope, now)
  const counts: ExpiryCounts = { enabled: false, accounts_checked: 0, entries_posted: 0, points_expired: 0 }
  const failures: JobFailure[] = []
  const expiry = loyaltyOf(scope).getRulebook().program.expiry
  // Nothing expires, so nothing to remind of.
  if (!expiry) return { expiry: counts, redemptions, reminders: { enabled: false, accounts_checked: 0, emitted: 0 }, failures }
  counts.enabled = true
  await eachAccount(scope, true, async (customer_id) => {
    counts.accounts_checked++
    try {
      const { result } = await expireAccountWorkflow(scope).run({
        input: { customer_id, now: now.toISOString(), after_months: expiry.after_months },
      })
      if (result.points > 0) {
        counts.entries_posted++
        counts.points_expired += result.points
      }
    } catch (e) {
      failures.push({ id: customer_id, message: (e as Error).message })
    }
  })
  const reminded = await remindExpiringPoints(scope, now)
  return { expiry: counts, redemptions, reminders: reminded.reminders, failures: [...failures, ...reminded.failures] }
}
