/** The admin dashboard's charts: points activity per day and members per tier (the core decides what they mean). */
import { resolveActivityRange, tierMembers, type ActivityDay, type TierMembers } from "../../core/domain/reports/stats"
import { liveRulebookOrNull, loyaltyOf, type Resolver } from "../../lib/container"

export type Activity = { from: string; to: string; days: ActivityDay[] }

/**
 * Points per UTC day of the range by bucket, and the outstanding points at the end of each day. The range is the
 * core's resolveActivityRange (default: the 30 days ending `now`'s UTC day; INVALID_INPUT when reversed or longer
 * than 366 days).
 */
export async function activityStats(scope: Resolver, bounds: { from?: string; to?: string }, now: Date): Promise<Activity> {
  const { from, to } = resolveActivityRange(bounds, now.toISOString().slice(0, 10))
  return { from, to, days: await loyaltyOf(scope).activity(from, to) }
}

/**
 * Members per tier of the live ladder by rank, then codes accounts still hold that the ladder no longer has, then
 * "none" (the core's tierMembers): the rows add up to the number of accounts. Without a live rulebook, by code.
 */
export async function tierStats(scope: Resolver): Promise<TierMembers[]> {
  return tierMembers(liveRulebookOrNull(scope)?.tiers ?? null, await loyaltyOf(scope).accountsPerTier())
}
