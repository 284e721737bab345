// checkout: what the plugin's checkout guard adds to a cart completion (POST /store/carts/:id/complete) on Medusa
// 1.20.
//  1. A cart paying with a loyalty redemption code against the same cart paying with a plain Medusa discount of the
//     same value (the guard claims the loyalty code under a lock; Medusa applies both discounts alike), completed one
//     at a time in alternating order, on the shared store, each once the member's earlier orders have their accrual
//     entries and the process is idle.
//  2. The plugin's SQL statements in a completion without any loyalty code (those naming a loyalty_ table; the
//     section fails if one of them locks or writes: such a cart gets reads only), and the time its guard spends in
//     such a completion, timed inside the store.
//  3. A cart without any loyalty code on a store with the plugin against the same cart on the same store without it
//     (lib/v1-stores.mjs: each in its own child process; eight freshly booted pairs in a full run, which store boots
//     first alternating), completed one at a time, alternating. Each completion starts once the plugin store's
//     previous order has its accrual entry and both store processes are idle: the completion is timed alone, not
//     with the previous order's order.placed handlers (accrual, settlement, referral) running beside it on the same
//     cores (those are the order_placed and load sections' to measure).
import { processCpuMs, waitForIdleProcesses } from "../lib/machine.mjs"
import { countSql } from "../lib/sql-count.mjs"
import { mean, median, nowMs, percentile } from "../lib/stats.mjs"
import { BASE, PLUGIN, startV1Stores, stopV1Stores } from "../lib/v1-stores.mjs"

const TARGET = 1.05
/** A store process is idle when it used at most one 10 ms clock tick of CPU over 200 ms (waited for 3 s at most). */
const IDLE = { window_ms: 200, busy_ms: 11, max_ms: 3000 }

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  const size = ctx.quick ? { rounds: 2, carts: 4 } : { rounds: 8, carts: 6 }
  // The no-code comparison: `boots` freshly booted pairs of stores, `rounds` x `carts` completions per store each.
  // Pairs rather than completions: one pair's draw moves its ratio far more than its completions' spread does
  // (withoutLoyalty).
  const pairs = ctx.quick ? { boots: 1, rounds: 2, carts: 4 } : { boots: 8, rounds: 2, carts: 3 }
  const { createAdmin, createCustomer, expectOk, prepareCart, redeemPoints } = ctx.require("../scripts/lib/commerce.js")
  const { region, variant_id } = await ctx.fixtures()
  const store = await ctx.store()
  const admin = await createAdmin(store)
  const member = await createCustomer(store)
  await fund(store, member.id, 500 * size.rounds * size.carts + 1000)
  // A plain fixed discount worth what a 500-point code is worth (5.00), reusable: the baseline's code.
  const plain = `PLAIN${Date.now()}`
  expectOk(
    await admin.api.post("/admin/discounts", {
      code: plain, rule: { type: "fixed", value: 500, allocation: "total" }, regions: [region.id], is_dynamic: false,
    }),
    "POST /admin/discounts"
  )
  const items = [{ variant_id, quantity: 1 }]
  const cartWith = async (code) => (await prepareCart(store, { token: member, region, items, discountCode: code })).cart.id
  const loyaltyCode = async () => {
    const res = await redeemPoints(store, member, { points: 500, region_id: region.id })
    if (res.status !== 201) throw new Error(`redemption answered ${res.status}: ${JSON.stringify(res.body)}`)
    return res.body.redemption.discount_code
  }
  const complete = async (cart_id) => {
    const t = nowMs()
    const res = expectOk(await member.api.post(`/store/carts/${cart_id}/complete`), `POST /store/carts/${cart_id}/complete`)
    if (res.type !== "order") throw new Error(`cart ${cart_id} completed as ${res.type}`)
    return nowMs() - t
  }

  /** Until this process (the shared store's) is idle (IDLE). */
  const idle = () => waitForIdleProcesses([() => processCpuMs(process.pid)], IDLE)
  ctx.log(`  ${size.rounds} rounds x ${size.carts} carts per variant, completed one at a time, alternating`)
  await complete(await cartWith(await loyaltyCode())) // warm-up: plans, the guard's first claim
  await complete(await cartWith(plain))
  const ms = { loyalty: [], plain: [] }
  for (let r = 0; r < size.rounds; r++) {
    const carts = []
    for (let i = 0; i < size.carts; i++) carts.push({ kind: "loyalty", id: await cartWith(await loyaltyCode()) }, { kind: "plain", id: await cartWith(plain) })
    if (r % 2) carts.reverse()
    for (const c of carts) {
      // Alone: not beside the previous order's order.placed handlers (a coded order's settlement, an accrual),
      // which run in this process too.
      await settled(store, member.id)
      await idle()
      ms[c.kind].push(await complete(c.id))
    }
    ctx.log(`  round ${r + 1}/${size.rounds}: loyalty code p50 ${median(ms.loyalty).toFixed(1)} ms, plain discount p50 ${median(ms.plain).toFixed(1)} ms`)
  }
  const trips = await guardStatements(ctx, store, () => cartWith(undefined), complete)
  const own = await guardTime(store, member.id, () => cartWith(undefined), complete, size.carts * 2)
  await settled(store, member.id)
  const alone = await withoutLoyalty(ctx, pairs)

  ctx.note(
    `${size.rounds * size.carts} completions per variant, one at a time (A/B then B/A per round), each once the member's earlier orders had accrued and the store was idle, each cart ` +
      `prepared beforehand (items, address, shipping, manual payment); the baseline is a plain Medusa fixed discount of the same value. ` +
      `Without a loyalty code: ${pairs.boots * pairs.rounds * pairs.carts} completions per store over ${pairs.boots} freshly booted pair(s), the store with the plugin and the same store without it ` +
      `each in its own child process, each completion started once the plugin store's previous order had its accrual entry and both store processes were idle; ` +
      `each pair's ratio of medians: ${alone.per_boot.map((x) => x.toFixed(2)).join(", ")}`
  )
  const loyaltyP50 = median(ms.loyalty)
  const plainP50 = median(ms.plain)
  return [
    {
      name: "plugin: complete a cart paying with a loyalty code: latency", unit: "ms", median: loyaltyP50, p99: percentile(ms.loyalty, 99),
      n: ms.loyalty.length, baseline_name: "medusa: the same cart with a plain discount: latency", target: TARGET,
    },
    { name: "medusa: the same cart with a plain discount: latency", unit: "ms", median: plainP50, p99: percentile(ms.plain, 99), n: ms.plain.length },
    // Nothing added to a cart without loyalty: no lock, no claim, no write (the goal: none). What the plugin still
    // does is find out that the cart holds no code: the advisory read before payment and the claim's read in the
    // order's transaction (a code may be added to the cart meanwhile, so the first cannot stand for the second).
    {
      name: "plugin: locks and writes in a completion without a loyalty code", unit: "queries",
      median: median(trips.loyalty_writes), n: trips.loyalty_writes.length, max: 0,
    },
    {
      name: "plugin: its reads in that completion (the advisory check, the claim's check)", unit: "queries",
      median: median(trips.loyalty), n: trips.loyalty.length,
    },
    { name: "all SQL statements of that completion", unit: "queries", median: median(trips.all), n: trips.all.length },
    // The same thing in time, timed inside the store (in this process): what the plugin's guard itself adds to such
    // a completion, free of the two-store comparison's noise.
    {
      name: "plugin: its own time in that completion (the advisory check + the claim's check)", unit: "ms",
      median: median(own.guard), p99: percentile(own.guard, 99), n: own.guard.length,
    },
    {
      name: "plugin: its share of that completion's latency", unit: "%",
      median: median(own.guard.map((g, i) => (100 * g) / own.completion[i])), n: own.guard.length,
    },
    {
      name: `${PLUGIN}: complete a cart without any loyalty code: latency`, unit: "ms", median: median(alone.plugin), p99: percentile(alone.plugin, 99),
      n: alone.plugin.length, baseline_name: `${BASE}: the same cart: latency`, target: TARGET,
    },
    { name: `${BASE}: the same cart: latency`, unit: "ms", median: median(alone.base), p99: percentile(alone.base, 99), n: alone.base.length },
    // The server process's CPU over each of those completions, as a mean (10 ms clock ticks): steadier than latency
    // on a shared machine, and what the plugin's own work adds.
    {
      name: `${PLUGIN}: server CPU over a completion without any loyalty code (mean)`, unit: "ms CPU", median: mean(alone.cpu.plugin),
      n: alone.cpu.plugin.length, baseline_name: `${BASE}: server CPU over the same completion (mean)`,
    },
    { name: `${BASE}: server CPU over the same completion (mean)`, unit: "ms CPU", median: mean(alone.cpu.base), n: alone.cpu.base.length },
  ]
}

/**
 * Completions of carts without any loyalty code on a store with the plugin and the same store without it (child
 * processes), prepared beforehand, one at a time, alternating (reversed every other round); each starts once the
 * plugin store's previous order has its accrual entry and both store processes are idle (the accrual entry alone
 * left the other order.placed handlers, the plugin's and Medusa's, running into the next completion). Stops the
 * shared store first (it would compete for the CPU).
 * The rounds are spread over `size.boots` freshly booted pairs of stores: a pair keeps, for its whole life, whatever
 * its processes drew at boot (which core the scheduler favours, the JIT's choices): pairs of one run read from 0.92
 * to 1.11, and two runs of four pairs each on the same code read 1.08 and 1.01, while the plugin's own work in such a
 * completion is about 2 ms. Hence many short-lived pairs (a full run: 8 pairs, 6 completions per store each) rather than a few
 * long ones. Which store boots first alternates from pair to pair.
 * @returns {Promise<{ plugin: number[], base: number[], cpu: { plugin: number[], base: number[] }, per_boot: number[] }>}
 *   the completion latencies, ms, each store process's CPU ms over each completion, and each pair's latency ratio
 */
async function withoutLoyalty(ctx, size) {
  await ctx.alone()
  const out = { plugin: [], base: [], cpu: { plugin: [], base: [] }, per_boot: [] }
  for (let b = 0; b < size.boots; b++) {
    // Which store boots first alternates from pair to pair: nothing about a pair should favour one side.
    const stores = await startV1Stores(ctx, { prefix: "loyalty_bench_checkout", members: 1, baseFirst: b % 2 === 1 })
    try {
      const got = await completePairs(ctx, stores, size)
      for (const k of ["plugin", "base"]) out[k].push(...got[k]), out.cpu[k].push(...got.cpu[k])
      out.per_boot.push(median(got.plugin) / median(got.base))
    } finally {
      await stopV1Stores(ctx, stores)
    }
  }
  return out
}

/** One pair's share of withoutLoyalty: a warm-up completion each, then `size.rounds` alternating rounds. */
async function completePairs(ctx, stores, size) {
  const { expectOk, prepareCart } = ctx.require("../scripts/lib/commerce.js")
  const { query } = ctx.require("../scripts/lib/store.js")
  const [withPlugin] = stores.filter((s) => !s.withoutPlugin)
  let previous = null // the plugin store's last order
  const accrued = async () => {
    const deadline = nowMs() + 60_000
    while (previous) {
      const rows = await query(withPlugin.proc.databaseUrl, `SELECT 1 FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'accrual'`, [previous])
      if (rows.length) previous = null
      else if (nowMs() > deadline) throw new Error(`no accrual entry for ${previous} 60 s after its cart completed`)
      else await new Promise((r) => setTimeout(r, 5))
    }
  }
  /** Until both store processes are idle (IDLE). */
  const idle = () => waitForIdleProcesses(stores.map((s) => () => processCpuMs(s.proc.pid)), IDLE)
  /** Server CPU ms per completion, from /proc (10 ms ticks: a per-completion figure, meaningful as a mean). */
  const cpu = { plugin: [], base: [] }
  const prepare = async (s) =>
    ({ s, id: (await prepareCart(s.proc, { token: s.members[0], region: s.region, items: [{ variant_id: s.variant_id, quantity: 1 }] })).cart.id })
  const complete = async ({ s, id }) => {
    await accrued()
    await idle()
    const cpu0 = processCpuMs(s.proc.pid)
    const t = nowMs()
    const res = expectOk(await s.members[0].api.post(`/store/carts/${id}/complete`), `POST /store/carts/${id}/complete`)
    const ms = nowMs() - t
    cpu[s.withoutPlugin ? "base" : "plugin"].push(processCpuMs(s.proc.pid) - cpu0)
    if (res.type !== "order") throw new Error(`cart ${id} completed as ${res.type}`)
    if (!s.withoutPlugin) previous = res.data.id
    return ms
  }
  ctx.log("  without a loyalty code, the store with the plugin vs without it: one warm-up completion each")
  for (const s of stores) await complete(await prepare(s))
  cpu.plugin.length = cpu.base.length = 0
  const ms = { plugin: [], base: [] }
  for (let r = 0; r < size.rounds; r++) {
    const carts = []
    for (let i = 0; i < size.carts; i++) for (const s of stores) carts.push(await prepare(s))
    if (r % 2) carts.reverse()
    for (const c of carts) ms[c.s.withoutPlugin ? "base" : "plugin"].push(await complete(c))
    ctx.log(
      `  round ${r + 1}/${size.rounds}: no code p50 ${median(ms.plugin).toFixed(1)} ms, without the plugin ${median(ms.base).toFixed(1)} ms; ` +
        `server CPU per completion ${mean(cpu.plugin).toFixed(1)} vs ${mean(cpu.base).toFixed(1)} ms`
    )
  }
  await accrued()
  return { ...ms, cpu }
}

/** Waits until every order of the member has its accrual: the store is not stopped under its order.placed handlers. */
async function settled(store, customer_id) {
  const manager = store.container.resolve("manager")
  const deadline = Date.now() + 120_000
  for (;;) {
    const [{ orders, accrued }] = await manager.query(
      `SELECT (SELECT count(*)::int FROM "order" WHERE customer_id = $1) AS orders,
              (SELECT count(*)::int FROM loyalty_ledger_entry WHERE customer_id = $1 AND kind = 'accrual') AS accrued`,
      [customer_id]
    )
    if (accrued >= orders || Date.now() > deadline) return
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Points to spend, written through the plugin's own ledger (an adjustment). */
async function fund(store, customer_id, points) {
  const manager = store.container.resolve("manager")
  const ledger = store.container.resolve("loyaltyLedgerService")
  await manager.transaction((m) =>
    ledger.withTransaction(m).post({ customer_id, kind: "adjustment", points, idempotency_key: `bench:checkout:${customer_id}`, reason: "bench" })
  )
}

/**
 * The time the plugin's checkout guard spends in `n` completions without any loyalty code on the shared store (its
 * advisory read before payment and its claim's read in the order's transaction, timed by wrapping the two service
 * methods), and each completion's latency. Each completion starts once the member's previous orders have accrued.
 * @returns {Promise<{ guard: number[], completion: number[] }>} ms
 */
async function guardTime(store, customer_id, prepare, complete, n) {
  const proto = Object.getPrototypeOf(store.container.resolve("loyaltyCheckoutService"))
  const original = { precheckCompletion: proto.precheckCompletion, claim: proto.claim }
  const carts = []
  for (let i = 0; i < n; i++) carts.push(await prepare())
  let spent = 0
  for (const [name, fn] of Object.entries(original)) {
    proto[name] = async function (...args) {
      const t = nowMs()
      try {
        return await fn.apply(this, args)
      } finally {
        spent += nowMs() - t
      }
    }
  }
  const out = { guard: [], completion: [] }
  try {
    for (const id of carts) {
      await settled(store, customer_id)
      spent = 0
      out.completion.push(await complete(id))
      out.guard.push(spent)
    }
  } finally {
    Object.assign(proto, original)
  }
  return out
}

/** The statements of a completion without any loyalty code: all of them, and the plugin's (they name a loyalty_ table). */
async function guardStatements(ctx, store, prepare, complete) {
  const bus = store.container.resolve("eventBusService")
  const carts = []
  for (let i = 0; i < 3; i++) carts.push(await prepare())
  await bus.stopEnqueuer() // its polls would land in the counts
  const all = countSql(ctx.require)
  const trips = { all: [], loyalty: [], loyalty_writes: [] }
  try {
    for (const id of carts) {
      all.reset()
      await complete(id)
      const { count, texts } = all.read()
      trips.all.push(count)
      const named = texts.filter((t) => /\bloyalty_/.test(t))
      trips.loyalty.push(named.length)
      const writes = named.filter((t) => /\bFOR\s+(NO\s+KEY\s+)?UPDATE\b|^\s*(INSERT|UPDATE|DELETE)\b/i.test(t))
      trips.loyalty_writes.push(writes.length)
      if (writes.length) throw new Error(`the plugin locks or writes in a completion without a loyalty code:\n${writes.join("\n")}`)
      // BENCH_SQL_TEXTS=1: which statements the plugin adds to a completion without a loyalty code.
      if (process.env.BENCH_SQL_TEXTS === "1" && named.length) ctx.log(`  loyalty statements in a completion without a code:\n${named.map((t) => `    ${t.replace(/\s+/g, " ")}`).join("\n")}`)
    }
  } finally {
    all.restore()
    bus.startEnqueuer()
  }
  return trips
}
