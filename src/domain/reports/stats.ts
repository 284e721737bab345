/**
 * Program statistics for the admin dashboard: how the ledger's entry kinds fold into the activity chart's buckets,
 * the date range of a chart, the members per tier, and the members a backtest moves most. Pure: the caller passes
 * `today` and reads the database.
 */
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"
import type { EntryKind } from "../ledger/ledger"
import type { TiersDef } from "../program/tiers"
import { DAY_MS } from "../shared/time"

/** The activity chart's buckets, each the sum of the `points` of its kinds (signed, the member's point of view). */
export const ACTIVITY_BUCKETS = ["issued", "redeemed", "expired", "clawed_back", "adjusted"] as const
export type ActivityBucket = (typeof ACTIVITY_BUCKETS)[number]

/**
 * Every entry kind in exactly one bucket (a `Record` over EntryKind: a new kind does not compile until it has one),
 * so the buckets of a day add up to that day's change of the outstanding points.
 * - issued: accrual (the part available at once; pending points count when activated), activation and action
 *   (earning actions, net of referral awards taken back)
 * - redeemed: redemption (negative) net of redemption_void (points of an unused code given back, positive)
 * - expired: expiry
 * - clawed_back: clawback (a refund's share) and reversal (a canceled order)
 * - adjusted: adjustment (an admin's signed correction)
 */
export const ACTIVITY_BUCKET_OF_KIND: Readonly<Record<EntryKind, ActivityBucket>> = Object.freeze({
  accrual: "issued",
  activation: "issued",
  action: "issued",
  redemption: "redeemed",
  redemption_void: "redeemed",
  expiry: "expired",
  clawback: "clawed_back",
  reversal: "clawed_back",
  adjustment: "adjusted",
})

/** The kinds summed into `bucket`. */
export function kindsOfBucket(bucket: ActivityBucket): EntryKind[] {
  return (Object.keys(ACTIVITY_BUCKET_OF_KIND) as EntryKind[]).filter((k) => ACTIVITY_BUCKET_OF_KIND[k] === bucket)
}

/** One day of the activity chart (UTC day). Every figure is an integer number of points. */
export interface ActivityDay {
  /** YYYY-MM-DD (UTC). */
  date: string
  issued_points: number
  redeemed_points: number
  expired_points: number
  clawed_back_points: number
  adjusted_points: number
  /** Σ points of every entry created before the end of this day: what members hold (the program's liability). */
  outstanding_points: number
}

export const ACTIVITY_DEFAULT_DAYS = 30
export const ACTIVITY_MAX_DAYS = 366

const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`)
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** `date` (YYYY-MM-DD) moved by `days` (UTC calendar days). */
export function addDays(date: string, days: number): string {
  return dayOf(dayMs(date) + days * DAY_MS)
}

/**
 * The chart's inclusive range from optional bounds (already well-formed dates): `to` defaults to `today`, `from` to
 * 30 days ending at `to`. Throws INVALID_INPUT (the route's 400) when `from` is after `to` or the range spans more
 * than 366 days. Invariant of the result: from ≤ to, days = to − from + 1 ∈ [1, 366].
 */
export function resolveActivityRange(input: { from?: string; to?: string }, today: string): { from: string; to: string; days: number } {
  const to = input.to ?? today
  const from = input.from ?? addDays(to, -(ACTIVITY_DEFAULT_DAYS - 1))
  const days = Math.round((dayMs(to) - dayMs(from)) / DAY_MS) + 1
  const problem =
    days < 1
      ? `query.from: must not be after to (${from} > ${to})`
      : days > ACTIVITY_MAX_DAYS
        ? `query: the range ${from}..${to} spans ${days} days, at most ${ACTIVITY_MAX_DAYS} are allowed`
        : null
  if (problem) throw new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, `Invalid request: ${problem}`, { problems: [problem] })
  return { from, to, days }
}

/** A tier's share of the members, as the tier chart shows it. */
export interface TierMembers {
  code: string
  name: string
  members: number
}

/** The row of accounts without a tier (before their first evaluation, or with no tiers file). */
export const NO_TIER: Readonly<Pick<TierMembers, "code" | "name">> = Object.freeze({ code: "none", name: "No tier" })

/**
 * Members per tier: every tier of the live ladder by rank (0 when empty), then codes accounts still hold that the
 * ladder no longer has (named by their code), then `none` for accounts without a tier when there are any. So the
 * rows add up to the number of accounts.
 */
export function tierMembers(ladder: TiersDef | null, counts: ReadonlyMap<string | null, number>): TierMembers[] {
  const tiers = ladder?.tiers ?? []
  const rows: TierMembers[] = tiers.map((t) => ({ code: t.code, name: t.name, members: counts.get(t.code) ?? 0 }))
  const known = new Set(tiers.map((t) => t.code))
  const stale = [...counts.keys()].filter((c): c is string => c !== null && !known.has(c)).sort()
  for (const code of stale) rows.push({ code, name: code, members: counts.get(code)! })
  const none = counts.get(null) ?? 0
  if (none > 0) rows.push({ ...NO_TIER, members: none })
  return rows
}

/**
 * The `n` biggest gainers (delta > 0, largest first) followed by the `n` biggest losers (delta < 0, most negative
 * first); ties by customer_id. Members whose delta is 0 are in neither.
 */
export function topMovers<T extends { customer_id: string; delta: number }>(rows: readonly T[], n: number): T[] {
  const byId = (a: T, b: T) => (a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0)
  const gainers = rows.filter((r) => r.delta > 0).sort((a, b) => b.delta - a.delta || byId(a, b))
  const losers = rows.filter((r) => r.delta < 0).sort((a, b) => a.delta - b.delta || byId(a, b))
  return [...gainers.slice(0, n), ...losers.slice(0, n)]
}
