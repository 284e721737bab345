// balance_flat: GET /store/customers/me/loyalty latency as the ledger grows from 10k to 1M entries (100k with
// --quick). The measured member's own history stays the same; the other entries belong to many other members, as
// in a store whose ledger grows with its customer base. Runs on its own store and database (dropped at the end).
import { median } from "../lib/stats.mjs"
import { runLoad } from "../lib/load.mjs"

const TARGET = 1.5
const OTHER_MEMBERS = 2000
const CHUNK = 100_000

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  const size = ctx.quick
    ? { sizes: [10_000, 100_000], connections: 8, duration_s: 2, rounds: 2, warmup_s: 1, own: 50 }
    : { sizes: [10_000, 100_000, 1_000_000], connections: 8, duration_s: 3, rounds: 3, warmup_s: 1, own: 50 }
  const { createCustomer, expectOk } = ctx.require("../scripts/lib/commerce.js")
  const { Client } = ctx.require("pg")
  const { store, stop } = await ctx.ownStore("loyalty_bench_flat")
  const db = new Client({ connectionString: store.databaseUrl })
  await db.connect()
  try {
    const member = await createCustomer(store)
    const manager = store.container.resolve("manager")
    const ledger = store.container.resolve("loyaltyLedgerService")
    const version = store.container.resolve("loyaltyRulesService").getRulebook().version
    for (let i = 0; i < size.own; i++) {
      await manager.transaction((m) =>
        ledger.withTransaction(m).post({ customer_id: member.id, kind: "accrual", points: 20, idempotency_key: `bench:flat:${i}` })
      )
    }
    await db.query(
      `INSERT INTO loyalty_account (id, customer_id, points_balance, points_lifetime, points_pending, tier)
       SELECT 'lacc_bench_' || g, 'cus_bench_' || g, 0, 0, 0, 'bronze' FROM generate_series(1, $1) g`,
      [OTHER_MEMBERS]
    )
    const path = "/store/customers/me/loyalty"
    expectOk(await member.api.get(path), `GET ${path}`)
    const headers = { authorization: `Bearer ${member.token}` }
    const load = (duration_s) => runLoad({ url: store.baseUrl + path, headers, connections: size.connections, duration_s })

    let generated = 0 // entries of the other members so far (their g runs on across sizes)
    const rows = []
    for (const target of size.sizes) {
      const { rows: [{ n: current }] } = await db.query(`SELECT count(*)::int AS n FROM loyalty_ledger_entry`)
      const add = target - current
      if (add > 0) {
        ctx.log(`  growing the ledger from ${current} to ${target} entries`)
        for (let done = 0; done < add; done += CHUNK) {
          const n = Math.min(CHUNK, add - done)
          await grow(db, generated, generated + n, version)
          generated += n
        }
        await syncBalances(db)
      }
      // A live store's autovacuum keeps statistics and the visibility map current; do it now rather than wait.
      await db.query(`VACUUM ANALYZE loyalty_ledger_entry`)
      await db.query(`VACUUM ANALYZE loyalty_account`)
      await load(size.warmup_s)
      const runs = []
      for (let r = 0; r < size.rounds; r++) runs.push(await load(size.duration_s))
      const label = target >= 1e6 ? `${target / 1e6}M` : `${target / 1e3}k`
      ctx.log(`  ${label} entries: p50 ${runs.map((x) => x.p50_ms).join("/")} ms, p99 ${runs.map((x) => x.p99_ms).join("/")} ms`)
      const first = size.sizes[0] >= 1e6 ? `${size.sizes[0] / 1e6}M` : `${size.sizes[0] / 1e3}k`
      const isFirst = target === size.sizes[0]
      for (const [metric, f] of [["p50", (x) => x.p50_ms], ["p99", (x) => x.p99_ms]]) {
        rows.push({
          name: `GET ${path} ${metric} at ${label} entries`,
          unit: "ms",
          median: median(runs.map(f)),
          n: runs.length,
          ...(isFirst ? {} : { baseline_name: `GET ${path} ${metric} at ${first} entries`, target: TARGET }),
        })
      }
    }
    await explainMemberReads(ctx, db, member.id)
    const report = await store.container.resolve("loyaltyVerifyService").verify()
    if (!report.ok) throw new Error(`ledger drift after growing it: ${JSON.stringify(report.problems.slice(0, 3))}`)
    ctx.note(
      `the member has ${size.own} entries at every size; the others belong to ${OTHER_MEMBERS} other members; ` +
        `${size.connections} connections, ${size.rounds} x ${size.duration_s} s per size (medians of the runs' p50 and p99)`
    )
    return rows
  } finally {
    await db.end().catch(() => {})
    await stop()
  }
}

/**
 * Appends entries g ∈ [from, to) of the other members: member (g mod K) + 1 gets +10 points per entry, so its
 * balance_after chain is 10, 20, … in seq order. Created within the last two years (some in the 365-day window).
 */
async function grow(db, from, to, version) {
  await db.query(
    `INSERT INTO loyalty_ledger_entry (id, account_id, customer_id, kind, points, balance_after, order_id,
       idempotency_key, payload_hash, rule_names, rulebook_version, details, created_at)
     SELECT 'lent_bench_' || g, 'lacc_bench_' || (g % $3 + 1), 'cus_bench_' || (g % $3 + 1), 'accrual', 10,
       10 * (g / $3 + 1), 'order_bench_' || g, 'order:order_bench_' || g || ':accrual', md5(g::text),
       '["base-earn"]'::jsonb, $4, '{"basis_minor": 1000}'::jsonb,
       now() - (g % 730) * interval '1 day' - (g % 86400) * interval '1 second'
     FROM generate_series($1::bigint, $2::bigint - 1) g`,
    [from, to, OTHER_MEMBERS, version]
  )
}

/** Keeps every other member's cached balance equal to the sum of their entries (verify checks it at the end). */
async function syncBalances(db) {
  await db.query(
    `UPDATE loyalty_account a SET points_balance = s.total, points_lifetime = s.total, updated_at = now()
     FROM (SELECT account_id, SUM(points)::int AS total FROM loyalty_ledger_entry
           WHERE account_id LIKE 'lacc_bench_%' GROUP BY account_id) s
     WHERE a.id = s.account_id`
  )
}

/** Records how PostgreSQL runs the member reads of the balance route at the largest size (the JSON keeps it). */
async function explainMemberReads(ctx, db, customer_id) {
  const plan = async (sql, params) =>
    (await db.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, params)).rows.map((r) => r["QUERY PLAN"])
  const window = await plan(
    `SELECT COALESCE(SUM(e.points), 0) FROM loyalty_ledger_entry e
     WHERE e.customer_id = $1 AND e.kind = ANY($2) AND e.created_at > now() - interval '365 days' AND e.created_at <= now()`,
    [customer_id, ["accrual", "activation", "adjustment", "reversal", "clawback"]]
  )
  const top = window.find((l) => /Scan/.test(l))?.trim() ?? window[0]
  const time = window.find((l) => /Execution Time/.test(l))?.trim() ?? ""
  ctx.note(`memberFacts' points_last_365d subquery at the largest size: ${top}; ${time}`)
  const { openLotsJoin, OPEN_LOTS_COLUMNS } = ctx.require("../dist/utils/expiry-lots-sql.js")
  const lots = await plan(`SELECT ${OPEN_LOTS_COLUMNS} FROM (SELECT $1::text AS customer_id) k ${openLotsJoin("k.customer_id")}`, [customer_id])
  const scan = lots.find((l) => /Scan/.test(l))?.trim() ?? lots[0]
  const lotsTime = lots.find((l) => /Execution Time/.test(l))?.trim() ?? ""
  ctx.note(`the expiry lots of the balance read at the largest size: ${scan}; ${lotsTime}`)
}
