// load: 50 members checking out at the same moment on Medusa 1.20, a store WITH the plugin against the same store
// WITHOUT it, in the same run, each in its own child process on its own database (lib/v1-stores.mjs). A round is 50
// concurrent real storefront checkouts over HTTP (cart, line item, address, shipping method, payment sessions,
// manual payment, complete), one per member; rounds alternate which store goes first, each store's measured round
// comes just after a few unmeasured checkouts of its own (PRIMER), and the plugin store's
// order.placed handlers settle before the next round starts (their work is charged to the plugin's round, not to
// the baseline's). After every round on the plugin store, every order must have exactly one accrual entry in the
// ledger (none missing, none twice): anything else fails the section. The throughput ratio is the median of each
// round's pair (pairedThroughputCost): the two stores' rounds of one round ran back to back under the same load.
import { median, nowMs, pairedThroughputCost, percentile, rotation } from "../lib/stats.mjs"
import { processCpuMs, waitForIdleCpu } from "../lib/machine.mjs"
import { BASE, PLUGIN, startV1Stores, stopV1Stores } from "../lib/v1-stores.mjs"

const MEMBERS = 50
/**
 * Unmeasured checkouts each store serves just before each of its measured rounds, so that both come to a measured
 * round having just served checkouts: rounds alternate which store goes first (A B, B A, …), and the one going second
 * had otherwise sat idle through the other's whole round. The second store of a round used about a fifth more CPU per
 * order, whichever store it was; with the primer that held on for v2 (not v1), so idleness is not the whole of it
 * (docs/performance.md).
 */
const PRIMER = 10
/** The goal is throughput >= 0.9x the baseline's; as a cost ratio (baseline / plugin) that is <= 1/0.9. */
const TARGET = Number((1 / 0.9).toFixed(3))

/** @param {import("../lib/context.mjs").BenchContext & { alone: () => Promise<void> }} ctx */
export async function run(ctx) {
  const size = ctx.quick ? { rounds: 2 } : { rounds: 6 }
  await ctx.alone() // the shared store and the v2 apps would compete for the CPU
  const commerce = ctx.require("../scripts/lib/commerce.js")
  const { query } = ctx.require("../scripts/lib/store.js")

  /** @type {import("../lib/v1-stores.mjs").V1Store[]} */
  let stores = []
  try {
    stores = await startV1Stores(ctx, { prefix: "loyalty_bench_load", members: MEMBERS })

    const results = new Map(stores.map((s) => [s.label, { rps: [], earned_rps: [], complete_ms: [], checkout_ms: [], settle_ms: [], cpu_ms_per_order: [] }]))
    const round = async (store, measured, members = store.members) => {
      // The dirty pages of the rounds before are written out first (one cluster holds both stores' databases) and the
      // machine goes idle (autovacuum, the other store's handlers), so a round does not pay for the one before it.
      await query(store.proc.databaseUrl, "CHECKPOINT")
      await waitForIdleCpu()
      const cpu0 = processCpuMs(store.proc.pid)
      const t0 = nowMs()
      const done = await Promise.all(members.map((m) => checkout(commerce, store, m)))
      const wall = nowMs() - t0
      const orders = done.map((d) => d.order_id)
      const settled = await earnedOnce(query, store, orders, t0)
      const cpu_ms_per_order = (processCpuMs(store.proc.pid) - cpu0) / orders.length
      if (!measured) return
      const r = results.get(store.label)
      r.rps.push((orders.length / wall) * 1000)
      r.cpu_ms_per_order.push(cpu_ms_per_order)
      r.complete_ms.push(...done.map((d) => d.complete_ms))
      r.checkout_ms.push(...done.map((d) => d.checkout_ms))
      if (!store.withoutPlugin) {
        r.settle_ms.push(settled)
        r.earned_rps.push((orders.length / settled) * 1000)
      }
      const line = `${store.label}: ${((orders.length / wall) * 1000).toFixed(1)} orders/s, completion p50 ` +
        `${median(done.map((d) => d.complete_ms)).toFixed(0)} ms, p99 ${percentile(done.map((d) => d.complete_ms), 99).toFixed(0)} ms, server CPU ${cpu_ms_per_order.toFixed(0)} ms per order`
      ctx.log(`    ${line}${store.withoutPlugin ? "" : `, every order earned once ${settled.toFixed(0)} ms after the round began`}`)
    }

    ctx.log(`  warm-up: one round of ${MEMBERS} concurrent checkouts per store (each member's first order)`)
    for (const s of stores) await round(s, false)
    for (let r = 0; r < size.rounds; r++) {
      ctx.log(`  round ${r + 1}/${size.rounds}`)
      for (const s of rotation(stores, r)) {
        await round(s, false, s.members.slice(0, PRIMER)) // see PRIMER
        await round(s, true)
      }
      const [p, b] = stores.map((s) => results.get(s.label).rps.at(-1))
      ctx.log(`    this round's throughput ratio (plugin / without): ${(p / b).toFixed(2)}x`)
    }

    const p = results.get(PLUGIN)
    const b = results.get(BASE)
    const n = p.complete_ms.length
    const cost = pairedThroughputCost(p.rps, b.rps)
    /** Orders checked for exactly one accrual entry: the warm-up's, the measured rounds' and the primers'. */
    const checked = (size.rounds + 1) * MEMBERS + size.rounds * PRIMER
    ctx.note(
      `${MEMBERS} members, each store in its own child process on its own database (the baseline's config has no plugin), ` +
        `1 warm-up round then ${size.rounds} rounds of ${MEMBERS} concurrent storefront checkouts per store (8 HTTP requests each), ` +
        `alternating which store goes first, each store's measured round just after ${PRIMER} unmeasured checkouts of its own; throughput = orders / wall time of the round, compared round by round (the median ` +
        `of the ${size.rounds} pairs' ratios); latencies pooled over the rounds; server CPU per order = the store process's CPU ` +
        `from a round's start until its orders had earned, / orders. ` +
        `Every plugin order had exactly one accrual entry after its round (${checked} orders checked), the baseline none. ` +
        `Goal throughput >= 0.9x the baseline's: ${1 / cost >= 0.9 ? "met" : "NOT met"} (${(1 / cost).toFixed(2)}x; rounds ` +
        `${p.rps.map((x, i) => (x / b.rps[i]).toFixed(2)).join(", ")}; ratio of the medians ${(median(p.rps) / median(b.rps)).toFixed(2)}x)`
    )
    const stat = (label, what, unit, xs, extra = {}) => ({ name: `${label}: ${what}`, unit, median: median(xs), p99: percentile(xs, 99), n: xs.length, ...extra })
    const vs = (what) => ({ baseline_name: `${BASE}: ${what}` })
    return [
      stat(PLUGIN, `${MEMBERS} concurrent checkouts: throughput`, "orders/s", p.rps, { ...vs(`${MEMBERS} concurrent checkouts: throughput`), ratio: cost, target: TARGET, p99: undefined }),
      stat(BASE, `${MEMBERS} concurrent checkouts: throughput`, "orders/s", b.rps, { p99: undefined }),
      stat(PLUGIN, "cart completion latency under load", "ms", p.complete_ms, vs("cart completion latency under load")),
      stat(BASE, "cart completion latency under load", "ms", b.complete_ms),
      // The p99 as a row of its own, so that it gets a ratio too (ratios compare the `median` column).
      { name: `${PLUGIN}: cart completion p99 under load`, unit: "ms", median: percentile(p.complete_ms, 99), n, ...vs("cart completion p99 under load") },
      { name: `${BASE}: cart completion p99 under load`, unit: "ms", median: percentile(b.complete_ms, 99), n: b.complete_ms.length },
      stat(PLUGIN, "whole checkout (8 requests) under load", "ms", p.checkout_ms, vs("whole checkout (8 requests) under load")),
      stat(BASE, "whole checkout (8 requests) under load", "ms", b.checkout_ms),
      // Including the order.placed handlers: from the round's start until the last order's accrual entry exists.
      stat(PLUGIN, "orders earned per second (until the last accrual entry)", "orders/s", p.earned_rps, {
        ...vs(`${MEMBERS} concurrent checkouts: throughput`), ratio: pairedThroughputCost(p.earned_rps, b.rps), p99: undefined,
      }),
      stat(PLUGIN, "server CPU per order under load", "ms", p.cpu_ms_per_order, vs("server CPU per order under load")),
      stat(BASE, "server CPU per order under load", "ms", b.cpu_ms_per_order),
      { name: `${PLUGIN}: orders without exactly one accrual entry`, unit: "orders", median: 0, n: checked, max: 0 },
    ]
  } finally {
    await stopV1Stores(ctx, stores)
  }
}

/** One storefront checkout over HTTP; the completion and the whole checkout timed. */
async function checkout(commerce, store, member) {
  const t0 = nowMs()
  const { cart } = await commerce.prepareCart(store.proc, { token: member, region: store.region, items: [{ variant_id: store.variant_id, quantity: 1 }] })
  const t1 = nowMs()
  const done = commerce.expectOk(await member.api.post(`/store/carts/${cart.id}/complete`), `POST /store/carts/${cart.id}/complete`)
  const t2 = nowMs()
  if (done.type !== "order") throw new Error(`cart ${cart.id} completed as ${done.type}`)
  return { order_id: done.data.id, complete_ms: t2 - t1, checkout_ms: t2 - t0 }
}

/**
 * Waits until every order of the round has its accrual entry (the plugin store), then checks, after a few more
 * enqueuer polls, that each has exactly one; the baseline store must have none at all. Throws on any mismatch.
 * Returns the ms from the round's start until every order had earned.
 */
async function earnedOnce(query, store, orders, t0) {
  const count = async () =>
    new Map(
      (
        await query(
          store.proc.databaseUrl,
          `SELECT order_id, count(*)::int AS n FROM loyalty_ledger_entry WHERE kind = 'accrual' AND order_id = ANY($1) GROUP BY order_id`,
          [orders]
        )
      ).map((r) => [r.order_id, r.n])
    )
  if (store.withoutPlugin) {
    const [{ n }] = await query(store.proc.databaseUrl, `SELECT count(*)::int AS n FROM loyalty_ledger_entry`)
    if (n) throw new Error(`the store without the plugin has ${n} ledger entries: the plugin is loaded there`)
    return 0
  }
  const deadline = Date.now() + 180_000
  let seen = await count()
  while (seen.size < orders.length) {
    if (Date.now() > deadline) throw new Error(`only ${seen.size} of ${orders.length} orders earned within 180 s of their checkouts`)
    await new Promise((r) => setTimeout(r, 50))
    seen = await count()
  }
  const settled = nowMs() - t0
  await new Promise((r) => setTimeout(r, 1500)) // several enqueuer polls: a second delivery would land by now
  seen = await count()
  const wrong = orders.filter((id) => seen.get(id) !== 1).map((id) => `${id}: ${seen.get(id) ?? 0}`)
  if (wrong.length) throw new Error(`orders without exactly one accrual entry (order: entries): ${wrong.join(", ")}`)
  return settled
}
