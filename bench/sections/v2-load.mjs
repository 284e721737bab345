// v2_load: 50 members checking out at the same moment on Medusa 2.21, the bench app WITH the packed plugin (ctx.v2())
// against the same app WITHOUT it in its config (ctx.v2Baseline(): its own database and process), in the same run.
// A round is 50 concurrent real storefront checkouts over HTTP (cart, line item, address, shipping method, payment
// collection, session, complete), one per member; rounds alternate which app goes first, each app's measured round
// comes just after a few unmeasured checkouts of its own (PRIMER), and the plugin app's order.placed subscribers
// settle before the next round starts. After every round on the plugin app, every order must
// have exactly one accrual entry in the ledger (none missing, none twice): anything else fails the section.
// The throughput ratio is the median of each round's pair (pairedThroughputCost): the two apps' rounds of one round
// ran back to back under the same machine load. The server's CPU per order (checkouts and their order.placed work,
// counted in each app's process) is reported beside it: the plugin's cost without the machine's noise in it.
import { median, nowMs, pairedThroughputCost, percentile, rotation } from "../lib/stats.mjs"
import { completeV2Cart, prepareV2Cart } from "../lib/v2-checkout.mjs"
import { waitForIdleCpu } from "../lib/machine.mjs"
import { V2_MISSING, v2Installed } from "../lib/v2.mjs"

/**
 * Unmeasured checkouts each app serves just before each of its measured rounds, so that both come to a measured
 * round having just served checkouts: rounds alternate which app goes first (A B, B A, …), and the one going second
 * had otherwise sat idle through the other's whole round. The second app of a round used about a fifth more CPU per
 * order, whichever app it was; with the primer that held on for v2 (not v1), so idleness is not the whole of it
 * (docs/performance.md).
 */
const PRIMER = 10
const MEMBERS = 50
/** The goal is throughput >= 0.9x the baseline's; as a cost ratio (baseline / plugin) that is <= 1/0.9. */
const TARGET = Number((1 / 0.9).toFixed(3))
const PLUGIN = "plugin"
const BASE = "medusa without the plugin"

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  if (!v2Installed()) {
    ctx.note(V2_MISSING)
    return []
  }
  const size = ctx.quick ? { rounds: 2 } : { rounds: 6 }
  // Both apps freshly booted on fresh databases: neither carries the earlier sections' orders and requests (the
  // plugin app's would otherwise be the longer history: see v2_checkout's ballast).
  await ctx.alone()
  const apps = [
    { label: PLUGIN, withoutPlugin: false, v2: await ctx.v2() },
    { label: BASE, withoutPlugin: true, v2: await ctx.v2Baseline() },
  ]
  const stamp = Date.now()
  for (const a of apps) {
    a.members = []
    for (let i = 0; i < MEMBERS; i += 10) {
      const batch = Array.from({ length: Math.min(10, MEMBERS - i) }, (_, k) => a.v2.shop.registerCustomer(`bench-load-${stamp}-${i + k}@loyalty.test`))
      a.members.push(...(await Promise.all(batch)))
    }
    ctx.log(`  ${a.label}: ${MEMBERS} members registered on ${a.v2.app.baseUrl}`)
  }

  const results = new Map(apps.map((a) => [a.label, { rps: [], earned_rps: [], complete_ms: [], checkout_ms: [], cpu_ms_per_order: [], gc_ms_per_order: [] }]))
  const checkout = async (a, member) => {
    const t0 = nowMs()
    const cart_id = await prepareV2Cart(a.v2, member)
    const { order, ms } = await completeV2Cart(a.v2, member, cart_id)
    return { order_id: order.id, complete_ms: ms, checkout_ms: nowMs() - t0 }
  }
  const round = async (a, measured, members = a.members) => {
    await quiet(apps)
    const cpu0 = await a.v2.cpuMs()
    const gc0 = await a.v2.gc()
    const t0 = nowMs()
    const done = await Promise.all(members.map((m) => checkout(a, m)))
    const wall = nowMs() - t0
    const orders = done.map((d) => d.order_id)
    const settled = await earnedOnce(a, orders, t0)
    const cpu_ms = (await a.v2.cpuMs()) - cpu0
    const gc1 = await a.v2.gc()
    if (!measured) return
    const r = results.get(a.label)
    r.rps.push((orders.length / wall) * 1000)
    r.cpu_ms_per_order.push(cpu_ms / orders.length)
    r.gc_ms_per_order.push((gc1.ms - gc0.ms) / orders.length)
    r.complete_ms.push(...done.map((d) => d.complete_ms))
    r.checkout_ms.push(...done.map((d) => d.checkout_ms))
    if (!a.withoutPlugin) r.earned_rps.push((orders.length / settled) * 1000)
    const ms = done.map((d) => d.complete_ms)
    ctx.log(
      `    ${a.label}: ${((orders.length / wall) * 1000).toFixed(1)} orders/s, completion p50 ${median(ms).toFixed(0)} ms, ` +
        `p99 ${percentile(ms, 99).toFixed(0)} ms, server CPU ${(cpu_ms / orders.length).toFixed(0)} ms per order (GC pauses ${((gc1.ms - gc0.ms) / orders.length).toFixed(1)} ms, ` +
        `mark-compact ${((gc1.major_ms - gc0.major_ms) / orders.length).toFixed(1)} ms; heap ${gc0.heap_used_mb} MB at the start)${a.withoutPlugin ? "" : `, every order earned once ${settled.toFixed(0)} ms after the round began`}`
    )
  }

  ctx.log(`  warm-up: one round of ${MEMBERS} concurrent checkouts per app (each member's first order)`)
  for (const a of apps) await round(a, false)
  for (let r = 0; r < size.rounds; r++) {
    ctx.log(`  round ${r + 1}/${size.rounds}`)
    for (const a of rotation(apps, r)) {
      await round(a, false, a.members.slice(0, PRIMER)) // see PRIMER
      await round(a, true)
    }
    const [p, b] = apps.map((a) => results.get(a.label).rps.at(-1))
    ctx.log(`    this round's throughput ratio (plugin / without): ${(p / b).toFixed(2)}x`)
  }

  const p = results.get(PLUGIN)
  const b = results.get(BASE)
  const cost = pairedThroughputCost(p.rps, b.rps)
  /** Orders checked for exactly one accrual entry: the warm-up's, the measured rounds' and the primers'. */
  const checked = (size.rounds + 1) * MEMBERS + size.rounds * PRIMER
  ctx.note(
    `Medusa 2.21 bench app with the packed plugin and the same app without it (each medusa start, NODE_ENV=production, ` +
      `in its own child process and database), ${MEMBERS} members each, 1 warm-up round then ${size.rounds} rounds of ${MEMBERS} ` +
      `concurrent storefront checkouts per app (8 HTTP requests each), alternating which app goes first, each app's measured round just after ${PRIMER} unmeasured checkouts of its own; throughput = orders / ` +
      `wall time of the round, compared round by round (the median of the ${size.rounds} pairs' ratios); latencies pooled over ` +
      `the rounds; server CPU per order = the app process's CPU from a round's start until its orders had earned, / orders. ` +
      `Every plugin order had exactly one accrual entry after its round (${checked} orders checked), the ` +
      `baseline none. Goal throughput >= 0.9x the baseline's: ${1 / cost >= 0.9 ? "met" : "NOT met"} (${(1 / cost).toFixed(2)}x; ` +
      `rounds ${p.rps.map((x, i) => (x / b.rps[i]).toFixed(2)).join(", ")}; ratio of the medians ${(median(p.rps) / median(b.rps)).toFixed(2)}x)`
  )
  const stat = (label, what, unit, xs, extra = {}) => ({ name: `${label}: ${what}`, unit, median: median(xs), p99: percentile(xs, 99), n: xs.length, ...extra })
  const vs = (what) => ({ baseline_name: `${BASE}: ${what}` })
  const tput = `${MEMBERS} concurrent checkouts: throughput`
  return [
    stat(PLUGIN, tput, "orders/s", p.rps, { ...vs(tput), ratio: cost, target: TARGET, p99: undefined }),
    stat(BASE, tput, "orders/s", b.rps, { p99: undefined }),
    stat(PLUGIN, "cart completion latency under load", "ms", p.complete_ms, vs("cart completion latency under load")),
    stat(BASE, "cart completion latency under load", "ms", b.complete_ms),
    // The p99 as a row of its own, so that it gets a ratio too (ratios compare the `median` column).
    { name: `${PLUGIN}: cart completion p99 under load`, unit: "ms", median: percentile(p.complete_ms, 99), n: p.complete_ms.length, ...vs("cart completion p99 under load") },
    { name: `${BASE}: cart completion p99 under load`, unit: "ms", median: percentile(b.complete_ms, 99), n: b.complete_ms.length },
    stat(PLUGIN, "whole checkout (8 requests) under load", "ms", p.checkout_ms, vs("whole checkout (8 requests) under load")),
    stat(BASE, "whole checkout (8 requests) under load", "ms", b.checkout_ms),
    // Including the order.placed subscribers: from the round's start until the last order's accrual entry exists.
    stat(PLUGIN, "orders earned per second (until the last accrual entry)", "orders/s", p.earned_rps, { ...vs(tput), ratio: pairedThroughputCost(p.earned_rps, b.rps), p99: undefined }),
    stat(PLUGIN, "server CPU per order under load", "ms", p.cpu_ms_per_order, vs("server CPU per order under load")),
    stat(BASE, "server CPU per order under load", "ms", b.cpu_ms_per_order),
    // Of that CPU, the main thread's garbage-collection pauses (a PerformanceObserver in the server).
    stat(PLUGIN, "server GC pauses per order under load", "ms", p.gc_ms_per_order, vs("server GC pauses per order under load")),
    stat(BASE, "server GC pauses per order under load", "ms", b.gc_ms_per_order),
    { name: `${PLUGIN}: orders without exactly one accrual entry`, unit: "orders", median: 0, n: checked, max: 0 },
  ]
}

/**
 * Before a round: PostgreSQL writes out the dirty pages of the rounds before (CHECKPOINT; both apps' databases live
 * in one cluster) and the machine goes idle (autovacuum, the other app's subscribers, a garbage collection:
 * waitForIdleCpu), so a round does not pay for the work the previous one left behind.
 */
async function quiet(apps) {
  await apps[0].v2.query("CHECKPOINT")
  await waitForIdleCpu()
}

/**
 * Waits until every order of the round has its accrual entry (the plugin app), then checks, a moment later, that each
 * has exactly one; the app without the plugin must have no ledger entry at all. Throws on any mismatch. Returns the
 * ms from the round's start until every order had earned.
 */
async function earnedOnce(a, orders, t0) {
  if (a.withoutPlugin) {
    const [{ n }] = await a.v2.query(`SELECT count(*)::int AS n FROM loyalty_ledger_entry`)
    if (n) throw new Error(`the app without the plugin has ${n} ledger entries: the plugin is loaded there`)
    return 0
  }
  const count = async () =>
    new Map(
      (
        await a.v2.query(
          `SELECT order_id, count(*)::int AS n FROM loyalty_ledger_entry WHERE kind = 'accrual' AND order_id = ANY($1) GROUP BY order_id`,
          [orders]
        )
      ).map((r) => [r.order_id, r.n])
    )
  const deadline = Date.now() + 180_000
  let seen = await count()
  while (seen.size < orders.length) {
    if (Date.now() > deadline) throw new Error(`only ${seen.size} of ${orders.length} orders earned within 180 s of their checkouts`)
    await new Promise((r) => setTimeout(r, 50))
    seen = await count()
  }
  const settled = nowMs() - t0
  await new Promise((r) => setTimeout(r, 1500)) // a redelivered or duplicated event would land by now
  seen = await count()
  const wrong = orders.filter((id) => seen.get(id) !== 1).map((id) => `${id}: ${seen.get(id) ?? 0}`)
  if (wrong.length) throw new Error(`orders without exactly one accrual entry (order: entries): ${wrong.join(", ")}`)
  return settled
}
