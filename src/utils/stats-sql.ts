import { ACTIVITY_BUCKETS, kindsOfBucket, type ActivityDay } from "../domain/reports/stats"
import type { RowQuery } from "./ledger-verify"

/**
 * One statement, bounded by the range: generate_series gives every day (zero-filled) and the range's entries are
 * summed per UTC day and kind, then per bucket (one sum per entry and a pivot of at most 366 × kinds rows: ~40 %
 * faster over a year of 500k entries than five FILTERed sums per entry). The outstanding points at the end of a day are the total before `from` plus the
 * running sum of the range; that total is read from the other end, as what members hold now (Σ balances, which the
 * ledger keeps equal to Σ entries in the same transaction as each entry, so one statement's snapshot sees them
 * agree) minus the entries since `from`. Summing everything before `from` instead would read the whole history (a
 * sequential scan: ~0.6 s at 1M entries, see bench/sections/stats.mjs); this way the cost is the accounts plus
 * the entries since `from`. Both ledger reads are index-only range scans of idx_loyalty_ledger_entry_created
 * (created_at INCLUDE kind, points). float8, not bigint: sums of integer points can pass the integer range, and
 * float8 reads back as a JS number (exact below 2^53, far beyond any ledger; checked on the way out).
 */
const ACTIVITY_SQL = `
  WITH by_kind AS (
    SELECT (e.created_at AT TIME ZONE 'UTC')::date AS day, e.kind, SUM(e.points) AS points
    FROM loyalty_ledger_entry e
    WHERE e.created_at >= $1::date::timestamp AT TIME ZONE 'UTC'
      AND e.created_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY 1, 2
  ), moves AS (
    SELECT k.day,
      ${ACTIVITY_BUCKETS.map((b, i) => `COALESCE(SUM(k.points) FILTER (WHERE k.kind = ANY($${i + 3}::text[])), 0) AS ${b}`).join(",\n      ")},
      SUM(k.points) AS net
    FROM by_kind k
    GROUP BY 1
  ), held AS (
    SELECT COALESCE(SUM(a.points_balance), 0) AS total FROM loyalty_account a
  ), after_range AS (
    SELECT COALESCE(SUM(e.points), 0) AS total
    FROM loyalty_ledger_entry e
    WHERE e.created_at >= ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
  ), days AS (
    SELECT d.day::date AS day, ${ACTIVITY_BUCKETS.map((b) => `m.${b}`).join(", ")}, COALESCE(m.net, 0) AS day_net
    FROM generate_series($1::date, $2::date, interval '1 day') AS d(day)
    LEFT JOIN moves m ON m.day = d.day::date
  )
  SELECT to_char(days.day, 'YYYY-MM-DD') AS date,
    ${ACTIVITY_BUCKETS.map((b) => `COALESCE(days.${b}, 0)::float8 AS ${b}`).join(", ")},
    (held.total - after_range.total - SUM(days.day_net) OVER () + SUM(days.day_net) OVER (ORDER BY days.day))::float8 AS outstanding
  FROM days CROSS JOIN held CROSS JOIN after_range
  ORDER BY days.day`

/** The statement and its parameters for the inclusive UTC day range `from`..`to` (YYYY-MM-DD). */
export function activityQuery(from: string, to: string): { sql: string; params: unknown[] } {
  return { sql: ACTIVITY_SQL, params: [from, to, ...ACTIVITY_BUCKETS.map(kindsOfBucket)] }
}

/** One row per day of `from`..`to`, oldest first. */
export async function readActivity(query: RowQuery, from: string, to: string): Promise<ActivityDay[]> {
  const { sql, params } = activityQuery(from, to)
  const rows = await query(sql, params)
  return rows.map((r) => ({
    date: r.date,
    issued_points: points(r.issued),
    redeemed_points: points(r.redeemed),
    expired_points: points(r.expired),
    clawed_back_points: points(r.clawed_back),
    adjusted_points: points(r.adjusted),
    outstanding_points: points(r.outstanding),
  }))
}

/**
 * Accounts per tier code (null: no tier yet), one grouped statement. The tier summary (GET /admin/loyalty/tiers)
 * and the tier chart (GET /admin/loyalty/stats/tiers) both read it.
 */
export async function readMembersPerTier(query: RowQuery): Promise<Map<string | null, number>> {
  const rows: Array<{ tier: string | null; n: number }> = await query(`SELECT tier, count(*)::int AS n FROM loyalty_account GROUP BY tier`)
  return new Map(rows.map((r) => [r.tier, r.n]))
}

function points(v: unknown): number {
  const n = Number(v)
  if (!Number.isSafeInteger(n)) throw new Error(`activity: a sum of points is not a safe integer (${String(v)})`)
  return n
}
