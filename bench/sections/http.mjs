// http: GET /store/customers/me/loyalty against Medusa's own GET /store/customers/me for the same logged-in
// customer (bearer token from POST /store/auth/token), under the same autocannon load, in alternating rounds.
import { countSql } from "../lib/sql-count.mjs"
import { loadComparisonRows, runLoad } from "../lib/load.mjs"

const TARGET = 1.5

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  const size = ctx.quick
    ? { connections: 16, duration_s: 3, rounds: 2, warmup_s: 1, history: 10 }
    : { connections: 16, duration_s: 5, rounds: 3, warmup_s: 2, history: 30 }
  const { createCustomer, expectOk } = ctx.require("../scripts/lib/commerce.js")
  const store = await ctx.store()
  const member = await createCustomer(store)
  await giveHistory(store, member.id, size.history)

  const headers = { authorization: `Bearer ${member.token}` }
  const targets = [
    { name: "plugin: GET /store/customers/me/loyalty", path: "/store/customers/me/loyalty" },
    { name: "medusa: GET /store/customers/me", path: "/store/customers/me" },
  ]
  for (const t of targets) expectOk(await member.api.get(t.path), `GET ${t.path}`) // both answer 200 for this token
  const load = (t, duration_s) => runLoad({ url: store.baseUrl + t.path, headers, connections: size.connections, duration_s })

  ctx.log(`  ${size.connections} connections, ${size.rounds} rounds x ${size.duration_s} s per endpoint, alternating`)
  for (const t of targets) await load(t, size.warmup_s)
  const results = new Map(targets.map((t) => [t.name, []]))
  for (let r = 0; r < size.rounds; r++) {
    for (const t of r % 2 ? [...targets].reverse() : targets) {
      const res = await load(t, size.duration_s)
      results.get(t.name).push(res)
      ctx.log(`  round ${r + 1}: ${t.path} p50 ${res.p50_ms} ms, p99 ${res.p99_ms} ms, ${res.rps.toFixed(0)} req/s`)
    }
  }

  const trips = await roundTrips(ctx, store, member, targets)
  const [plugin, medusa] = targets
  const metrics = [
    ["latency p50", "ms", (x) => x.p50_ms],
    ["latency p99", "ms", (x) => x.p99_ms],
    ["throughput", "req/s", (x) => x.rps],
  ]
  const rows = loadComparisonRows({ plugin, medusa, results, trips, metrics, target: TARGET })
  ctx.note(
    `autocannon in a child process, ${size.connections} connections, ${size.duration_s} s per round, ${size.rounds} rounds per endpoint ` +
      `(A/B then B/A), medians of the rounds' p50, p99 and req/s; the member has ${size.history} ledger entries`
  )
  return rows
}

/** SQL round trips of one request to each endpoint, sent alone (the server runs in this process). */
async function roundTrips(ctx, store, member, targets) {
  const bus = store.container.resolve("eventBusService")
  await bus.stopEnqueuer() // its polls would land in the counts
  const sql = countSql(ctx.require)
  const trips = new Map(targets.map((t) => [t.name, []]))
  try {
    for (let i = 0; i < 5; i++) {
      for (const t of targets) {
        sql.reset()
        const res = await member.api.get(t.path)
        if (res.status !== 200) throw new Error(`GET ${t.path} answered ${res.status}`)
        trips.get(t.name).push(sql.read().count)
      }
    }
  } finally {
    sql.restore()
    bus.startEnqueuer()
  }
  return trips
}

/** A member with some history (so the read has entries to go through), written through the plugin's own ledger. */
async function giveHistory(store, customer_id, count) {
  const manager = store.container.resolve("manager")
  const ledger = store.container.resolve("loyaltyLedgerService")
  for (let i = 0; i < count; i++) {
    await manager.transaction((m) =>
      ledger.withTransaction(m).post({ customer_id, kind: "accrual", points: 25, idempotency_key: `bench:http:${customer_id}:${i}` })
    )
  }
}
