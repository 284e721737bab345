// stats: the admin dashboard's reads on a 1M-entry ledger (100k with --quick): the activity query for 30 and 365
// days (per-day sums by bucket plus the outstanding points, utils/stats-sql.ts) and the tier counts, each against a
// plain `SELECT sum(points) FROM loyalty_ledger_entry` measured in the same rounds (plus, for comparison, the
// ledger-only total before a 30-day range that the activity query avoids); and the same three as HTTP routes
// against Medusa's own GET /admin/orders?limit=20. Prints the plan (EXPLAIN ANALYZE) of the 30-day activity query.
// Runs on its own store and database (dropped at the end).
import { median, nowMs, percentile, rotation } from "../lib/stats.mjs"

const MEMBERS = 20_000
const CHUNK = 250_000
const TIERS = ["bronze", "bronze", "bronze", "silver", "silver", "gold", "platinum", null]

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  const size = ctx.quick ? { entries: 100_000, rounds: 5, http_rounds: 10 } : { entries: 1_000_000, rounds: 11, http_rounds: 21 }
  const { createAdmin, expectOk } = ctx.require("../scripts/lib/commerce.js")
  const { Client } = ctx.require("pg")
  const { store, stop } = await ctx.ownStore("loyalty_bench_stats")
  const db = new Client({ connectionString: store.databaseUrl })
  await db.connect()
  try {
    const admin = await createAdmin(store)
    const t0 = nowMs()
    await seed(ctx, db, size.entries)
    ctx.log(`  seeded ${size.entries} entries of ${MEMBERS} members in ${((nowMs() - t0) / 1000).toFixed(1)} s`)
    // A live store's autovacuum keeps statistics and the visibility map current (index-only scans need it).
    await db.query(`VACUUM ANALYZE loyalty_ledger_entry`)
    await db.query(`VACUUM ANALYZE loyalty_account`)

    const { activityQuery, readActivity, readMembersPerTier } = ctx.require("../dist/utils/stats-sql.js")
    const query = async (sql, params) => (await db.query(sql, params)).rows
    const today = new Date().toISOString().slice(0, 10)
    const back = (days) => new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10)
    const baseline = "SQL: SELECT sum(points) FROM loyalty_ledger_entry (full ledger)"
    const sqlVariants = [
      { name: baseline, run: () => query(`SELECT sum(points) FROM loyalty_ledger_entry`) },
      { name: "SQL: activity, 30 days", run: () => readActivity(query, back(30), today) },
      { name: "SQL: activity, 365 days", run: () => readActivity(query, back(365), today) },
      { name: "SQL: members per tier", run: () => readMembersPerTier(query) },
      // What the activity query avoids: the outstanding points before a 30-day range summed from the whole history.
      { name: "SQL: (not used) Σ points before the 30 days, from the ledger", run: () => query(`SELECT sum(points) FROM loyalty_ledger_entry WHERE created_at < $1::date`, [back(30)]) },
    ]
    const sqlTimes = await measure(ctx, sqlVariants, size.rounds)

    const orders = "HTTP: medusa GET /admin/orders?limit=20 (no orders)"
    const httpVariants = [
      { name: orders, path: "/admin/orders?limit=20" },
      { name: "HTTP: GET /admin/loyalty/stats/activity (30 days)", path: "/admin/loyalty/stats/activity" },
      { name: "HTTP: GET /admin/loyalty/stats/activity (365 days)", path: `/admin/loyalty/stats/activity?from=${back(365)}&to=${today}` },
      { name: "HTTP: GET /admin/loyalty/stats/tiers", path: "/admin/loyalty/stats/tiers" },
    ].map((v) => ({ ...v, run: async () => expectOk(await admin.api.get(v.path), `GET ${v.path}`) }))
    const httpTimes = await measure(ctx, httpVariants, size.http_rounds)

    await explainActivity(ctx, db, activityQuery, back(30), today)
    const days = await readActivity(query, back(30), today)
    const [{ total }] = await query(`SELECT sum(points)::float8 AS total FROM loyalty_ledger_entry`)
    if (days[days.length - 1].outstanding_points !== total) throw new Error(`outstanding ${days[days.length - 1].outstanding_points} ≠ Σ points ${total}`)
    ctx.note(`${size.entries} entries of ${MEMBERS} members over the last 730 days (~${Math.round(size.entries / 730)} a day); medians of ${size.rounds} SQL rounds and ${size.http_rounds} HTTP rounds, variants rotated each round`)

    const rows = []
    for (const [times, base] of [[sqlTimes, baseline], [httpTimes, orders]]) {
      for (const [name, xs] of times) {
        rows.push({ name, unit: "ms", median: median(xs), p99: percentile(xs, 99), n: xs.length, ...(name === base ? {} : { baseline_name: base }) })
      }
    }
    return rows
  } finally {
    await db.end().catch(() => {})
    await stop()
  }
}

/** Runs every variant once per round (order rotated each round) after one warm-up round; times in ms by name. */
async function measure(ctx, variants, rounds) {
  for (const v of variants) await v.run()
  const times = new Map(variants.map((v) => [v.name, []]))
  for (let r = 0; r < rounds; r++) {
    for (const v of rotation(variants, r)) {
      const t = nowMs()
      await v.run()
      times.get(v.name).push(nowMs() - t)
    }
  }
  for (const [name, xs] of times) ctx.log(`  ${name}: median ${median(xs).toFixed(1)} ms`)
  return times
}

/**
 * Accounts (tiers spread over the ladder, some without one) and `count` entries of mixed kinds, created over the
 * last two years, in bulk INSERT … SELECT generate_series chunks (the append-only trigger refuses only UPDATE and
 * DELETE); no order ids (the order index is partial, and these reads never use it), to seed faster. Balances are
 * then set to Σ points, as the ledger keeps them.
 */
async function seed(ctx, db, count) {
  await db.query(
    `INSERT INTO loyalty_account (id, customer_id, points_balance, points_lifetime, points_pending, tier)
     SELECT 'lacc_bs_' || g, 'cus_bs_' || g, 0, 0, 0, ($2::text[])[g % array_length($2::text[], 1) + 1]
     FROM generate_series(1, $1) g`,
    [MEMBERS, TIERS]
  )
  for (let from = 0; from < count; from += CHUNK) {
    const to = Math.min(count, from + CHUNK)
    ctx.log(`  entries ${from}..${to}`)
    await db.query(
      `INSERT INTO loyalty_ledger_entry (id, account_id, customer_id, kind, points, balance_after, order_id,
         idempotency_key, payload_hash, created_at)
       SELECT 'lent_bs_' || g, 'lacc_bs_' || (g % $3 + 1), 'cus_bs_' || (g % $3 + 1), k.kind, k.points, 0,
         NULL, 'bench:stats:' || g, md5(g::text),
         now() - (g % 730) * interval '1 day' - (g % 86400) * interval '1 second'
       FROM generate_series($1::bigint, $2::bigint - 1) g
       CROSS JOIN LATERAL (SELECT CASE
         WHEN g % 20 < 14 THEN 'accrual' WHEN g % 20 < 16 THEN 'redemption' WHEN g % 20 = 16 THEN 'expiry'
         WHEN g % 20 = 17 THEN 'clawback' WHEN g % 20 = 18 THEN 'reversal' ELSE 'adjustment' END AS kind,
         CASE WHEN g % 20 < 14 THEN 10 WHEN g % 20 < 16 THEN -20 WHEN g % 20 = 16 THEN -5
         WHEN g % 20 = 17 THEN -3 WHEN g % 20 = 18 THEN -10 ELSE 7 END AS points) k`,
      [from, to, MEMBERS]
    )
  }
  await db.query(
    `UPDATE loyalty_account a SET points_balance = s.total FROM (
       SELECT account_id, SUM(points)::int AS total FROM loyalty_ledger_entry GROUP BY account_id) s
     WHERE a.id = s.account_id`
  )
}

/** The activity statement's plan: both ledger reads (the range, what came after it) must use idx_loyalty_ledger_entry_created. */
async function explainActivity(ctx, db, activityQuery, from, to) {
  const { sql, params } = activityQuery(from, to)
  const plan = (await db.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, params)).rows.map((r) => r["QUERY PLAN"])
  ctx.log(`  EXPLAIN (ANALYZE, BUFFERS) of the 30-day activity query:\n${plan.map((l) => `    ${l}`).join("\n")}`)
  const scans = plan.filter((l) => /Scan/.test(l)).map((l) => l.trim().replace(/\s+\(actual.*$/, ""))
  const fetches = plan.filter((l) => /Heap Fetches/.test(l)).map((l) => l.trim())
  const time = plan.find((l) => /Execution Time/.test(l))?.trim() ?? ""
  ctx.note(`plan of the 30-day activity query: ${scans.join("; ")}; ${fetches.join(", ")}; ${time}`)
  if (scans.filter((s) => s.includes("idx_loyalty_ledger_entry_created")).length < 2) {
    throw new Error(`the activity query does not read the ledger through idx_loyalty_ledger_entry_created:\n${plan.join("\n")}`)
  }
}
