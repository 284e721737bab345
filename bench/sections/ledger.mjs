// ledger: write throughput of the plugin's real posting path (LoyaltyLedgerService.post in its own transaction,
// as subscribers run it) against a raw PostgreSQL transaction doing the same lock + insert + update, with the
// same 8 concurrent writers on the same accounts (so some posts wait for another writer's row lock).
import crypto from "node:crypto"
import { countSql } from "../lib/sql-count.mjs"
import { median, nowMs, percentile, prng, rotation } from "../lib/stats.mjs"

const SECTION = "ledger"
const TARGET = 2

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  const size = ctx.quick
    ? { writers: 8, posts: 15, accounts: 16, rounds: 3, warmup: 3 }
    : { writers: 8, posts: 40, accounts: 16, rounds: 5, warmup: 5 }
  const { createCustomer } = ctx.require("../scripts/lib/commerce.js")
  const { Pool } = ctx.require("pg")
  const store = await ctx.store()
  const manager = store.container.resolve("manager")
  const ledger = store.container.resolve("loyaltyLedgerService")
  const version = store.container.resolve("loyaltyRulesService").getRulebook().version

  ctx.log(`  ${size.accounts} members, ${size.writers} writers x ${size.posts} posts, ${size.rounds} rounds per variant`)
  const members = []
  for (let i = 0; i < size.accounts; i++) members.push((await createCustomer(store)).id)
  // Accounts open (and get their first tier and group) outside the measurement.
  for (const id of members) await manager.transaction((m) => ledger.withTransaction(m).ensureAccount(id))

  const run_id = crypto.randomBytes(3).toString("hex")
  const draft = (customer_id, key, kind) => ({
    customer_id,
    kind,
    points: 10,
    idempotency_key: key,
    rule_names: ["base-earn"],
    rulebook_version: version,
    details: { basis_minor: 1000, amount_points: 10, bonus_points: 0, multiplier_bp: 10000 },
  })
  const pool = new Pool({ connectionString: store.databaseUrl, max: size.writers })
  const variants = [
    {
      name: "plugin: accrual post (+ tier recompute)",
      // An accrual moves lifetime points, so the real path re-evaluates the member's tier in the same transaction.
      post: (customer_id, key) => manager.transaction((m) => ledger.withTransaction(m).post(draft(customer_id, key, "accrual"))),
    },
    {
      name: "plugin: post without tier recompute",
      // redemption_void moves the balance only: the ledger path without the tier re-evaluation.
      post: (customer_id, key) =>
        manager.transaction((m) => ledger.withTransaction(m).post(draft(customer_id, key, "redemption_void"))),
    },
    { name: "raw SQL: lock + insert + update", post: (customer_id, key) => rawPost(pool, draft(customer_id, key, "accrual")) },
  ]

  const round = async (variant, r, posts) => {
    const latencies = []
    const t0 = nowMs()
    await Promise.all(
      Array.from({ length: size.writers }, async (_, w) => {
        const pick = prng(r * 1000 + w) // same account sequence for every variant of round r
        for (let i = 0; i < posts; i++) {
          const customer_id = members[Math.floor(pick() * members.length)]
          const t = nowMs()
          await variant.post(customer_id, `bench:${run_id}:${variant.name}:${r}:${w}:${i}`)
          latencies.push(nowMs() - t)
        }
      })
    )
    return { rate: (size.writers * posts) / ((nowMs() - t0) / 1000), latencies }
  }

  try {
    for (const v of variants) await round(v, -1, size.warmup) // warm-up: connections, plans, JIT
    const results = new Map(variants.map((v) => [v.name, { rates: [], latencies: [] }]))
    for (let r = 0; r < size.rounds; r++) {
      for (const v of rotation(variants, r)) {
        const { rate, latencies } = await round(v, r, size.posts)
        results.get(v.name).rates.push(rate)
        results.get(v.name).latencies.push(...latencies)
      }
      ctx.log(`  round ${r + 1}/${size.rounds}: ${variants.map((v) => `${results.get(v.name).rates.at(-1).toFixed(0)}/s`).join(", ")}`)
    }
    await assertLedgerConsistent(store, ctx)
    const trips = await roundTrips(ctx, store, variants, members, run_id)

    const base = variants[2].name
    const rows = []
    for (const v of variants) {
      const res = results.get(v.name)
      rows.push({
        name: `${v.name}: throughput`,
        unit: "posts/s",
        median: median(res.rates),
        n: res.rates.length,
        ...(v.name === base ? {} : { baseline_name: `${base}: throughput` }),
        // The goal: an accrual post, tier re-evaluation included, at most twice the raw transaction's cost.
        ...(v === variants[0] ? { target: TARGET } : {}),
      })
    }
    for (const v of variants) {
      const res = results.get(v.name)
      rows.push({
        name: `${v.name}: latency per post`,
        unit: "ms",
        median: median(res.latencies),
        p99: percentile(res.latencies, 99),
        n: res.latencies.length,
        ...(v.name === base ? {} : { baseline_name: `${base}: latency per post` }),
      })
    }
    for (const v of variants) {
      rows.push({ name: `${v.name}: SQL round trips per post`, unit: "queries", median: median(trips.get(v.name)), n: trips.get(v.name).length })
    }
    ctx.note(
      `${size.writers} writers x ${size.posts} posts per round over ${size.accounts} accounts (random, so writers contend for row locks); ` +
        `throughput median over ${size.rounds} rounds per variant, rounds rotate the variant order`
    )
    return rows
  } finally {
    await pool.end()
  }
}

/** SQL round trips of one post of each variant (BEGIN and COMMIT included), posted alone. */
async function roundTrips(ctx, store, variants, members, run_id) {
  const trips = new Map(variants.map((v) => [v.name, []]))
  const bus = store.container.resolve("eventBusService")
  await bus.stopEnqueuer() // its polls would land in the counts
  const sql = countSql(ctx.require)
  try {
    for (let i = 0; i < 5; i++) {
      for (const v of variants) {
        sql.reset()
        await v.post(members[i % members.length], `bench:${run_id}:${v.name}:trips:${i}`)
        trips.get(v.name).push(sql.read().count)
      }
    }
  } finally {
    sql.restore()
    bus.startEnqueuer()
  }
  return trips
}

/**
 * The baseline: what any correct ledger write must do at least, in one transaction: lock the account row,
 * append the entry with its balance_after, update the cached balance.
 */
async function rawPost(pool, d) {
  const c = await pool.connect()
  try {
    await c.query("BEGIN")
    const { rows } = await c.query(
      `SELECT id, points_balance, points_lifetime FROM loyalty_account WHERE customer_id = $1 FOR UPDATE`,
      [d.customer_id]
    )
    const a = rows[0]
    const balance_after = a.points_balance + d.points
    await c.query(
      `INSERT INTO loyalty_ledger_entry (id, account_id, customer_id, kind, points, balance_after, idempotency_key,
         payload_hash, rule_names, rulebook_version, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        `lent_bench${crypto.randomBytes(10).toString("hex")}`,
        a.id,
        d.customer_id,
        d.kind,
        d.points,
        balance_after,
        d.idempotency_key,
        crypto.createHash("sha256").update(d.idempotency_key).digest("hex"),
        JSON.stringify(d.rule_names),
        d.rulebook_version,
        JSON.stringify(d.details),
      ]
    )
    await c.query(
      `UPDATE loyalty_account SET points_balance = $2, points_lifetime = points_lifetime + $3, updated_at = now() WHERE id = $1`,
      [a.id, balance_after, d.points]
    )
    await c.query("COMMIT")
  } catch (e) {
    await c.query("ROLLBACK").catch(() => {})
    throw e
  } finally {
    c.release()
  }
}

/** Both writers must leave balance = Σ entries and a clean balance_after chain: the plugin's own verify decides. */
async function assertLedgerConsistent(store, ctx) {
  const report = await store.container.resolve("loyaltyVerifyService").verify()
  if (!report.ok) throw new Error(`ledger drift after the bench: ${JSON.stringify(report.problems.slice(0, 5))}`)
  ctx.log(`  verify: ok (${report.accounts_checked} accounts, ${report.entries_checked} entries)`)
}
