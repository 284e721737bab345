// order_placed: the plugin's work per order.placed (the accrual subscriber, first-time award of a fresh order)
// against Medusa's own retrieveWithTotals of the same order with the relations of GET /store/orders/:id.
// The accrual is idempotent and the ledger append-only, so every measured award needs an order never awarded:
// the orders are placed while Medusa's event enqueuer is held and their order.placed jobs are dropped, then the
// bench calls the subscriber itself, once per order.
import { countSql } from "../lib/sql-count.mjs"
import { median, nowMs, percentile } from "../lib/stats.mjs"

const TARGET = 1.5

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  const size = ctx.quick ? { members: 3, measured: 9, profiled: 3 } : { members: 4, measured: 24, profiled: 4 }
  const { createCustomer, placeOrder } = ctx.require("../scripts/lib/commerce.js")
  const { query } = ctx.require("../scripts/lib/store.js")
  const accrue = ctx.require("../dist/subscribers/order-placed-accrue.js").default
  const settleRedemption = ctx.require("../dist/subscribers/order-placed-settle-redemption.js").default
  const { region, variant_id } = await ctx.fixtures()
  const store = await ctx.store()
  // Only after boot: Medusa's models read feature flags when first loaded (a route module loads them).
  const storeOrders = ctx.require("@medusajs/medusa/dist/api/routes/store/orders/index.js")
  const { container } = store

  // Warm-up orders: each member's first award (first-order bonus, first tier group, plans and caches) is not measured.
  const total = size.members + size.measured + size.profiled
  ctx.log(`  placing ${total} orders for ${size.members} members (events held)`)
  const bus = container.resolve("eventBusService")
  await bus.stopEnqueuer()
  const orders = []
  try {
    const members = []
    for (let i = 0; i < size.members; i++) members.push(await createCustomer(store))
    const items = (i) => [{ variant_id, quantity: 1 + (i % 3) }]
    for (let i = 0; i < total; i += 2) {
      // Two checkouts at a time: each is ~10 sequential HTTP calls, mostly waiting.
      const batch = [i, i + 1].filter((k) => k < total)
      const placed = await Promise.all(batch.map((k) => placeOrder(store, { token: members[k % size.members], region, items: items(k) })))
      orders.push(...placed.map((o) => o.id))
      if (orders.length % 10 < 2) ctx.log(`  ${orders.length}/${total} orders`)
    }
    const dropped = await query(store.databaseUrl, `DELETE FROM staged_job WHERE event_name = 'order.placed' RETURNING id`)
    ctx.log(`  dropped ${dropped.length} held order.placed jobs (the bench awards each order itself)`)
  } finally {
    bus.startEnqueuer()
  }
  const accrued = await query(store.databaseUrl, `SELECT count(*)::int AS n FROM loyalty_ledger_entry WHERE order_id = ANY($1)`, [orders])
  if (accrued[0].n) throw new Error(`${accrued[0].n} of the bench orders were awarded before the measurement`)

  const args = (id) => ({ data: { id }, eventName: "order.placed", container, pluginOptions: {} })
  const award = (id) => accrue(args(id))
  // The plugin's other order.placed handler: settles a redemption whose code the order used (none here: a lookup).
  const settle = (id) => settleRedemption(args(id))
  // Exactly what the route does: orderService.retrieveWithTotals(id, req.retrieveConfig) with the default config.
  const retrieveConfig = { select: storeOrders.defaultStoreOrdersFields, relations: storeOrders.defaultStoreOrdersRelations }
  const retrieve = (id) => container.resolve("orderService").retrieveWithTotals(id, retrieveConfig)
  const time = async (fn) => {
    const t = nowMs()
    await fn()
    return nowMs() - t
  }

  const warm = orders.slice(0, size.members)
  const measured = orders.slice(size.members, size.members + size.measured)
  const profiled = orders.slice(size.members + size.measured)
  for (const id of warm) {
    await award(id)
    await retrieve(id)
  }
  const awardMs = []
  const settleMs = []
  const retrieveMs = []
  for (const [i, id] of measured.entries()) {
    // Same order for both; which runs first alternates (the first one pays for cold pages of that order).
    const plugin = async () => {
      awardMs.push(await time(() => award(id)))
      settleMs.push(await time(() => settle(id)))
    }
    const medusa = async () => retrieveMs.push(await time(() => retrieve(id)))
    if (i % 2 === 0) {
      await plugin()
      await medusa()
    } else {
      await medusa()
      await plugin()
    }
  }
  const bothMs = awardMs.map((ms, i) => ms + settleMs[i])
  const awarded = await query(
    store.databaseUrl,
    `SELECT count(*)::int AS n FROM loyalty_ledger_entry WHERE kind = 'accrual' AND points > 0 AND order_id = ANY($1)`,
    [measured]
  )
  if (awarded[0].n !== measured.length) throw new Error(`only ${awarded[0].n} of ${measured.length} measured orders were awarded`)

  const rows = [
    { name: "plugin: order.placed accrual (first award)", unit: "ms", median: median(awardMs), p99: percentile(awardMs, 99),
      n: awardMs.length, baseline_name: "medusa: retrieveWithTotals (GET /store/orders/:id config)", target: TARGET },
    { name: "plugin: both order.placed handlers (accrual + settlement)", unit: "ms", median: median(bothMs), p99: percentile(bothMs, 99),
      n: bothMs.length, baseline_name: "medusa: retrieveWithTotals (GET /store/orders/:id config)", target: TARGET },
    { name: "plugin: order.placed redemption settlement (no code used)", unit: "ms", median: median(settleMs), p99: percentile(settleMs, 99),
      n: settleMs.length },
    { name: "medusa: retrieveWithTotals (GET /store/orders/:id config)", unit: "ms", median: median(retrieveMs),
      p99: percentile(retrieveMs, 99), n: retrieveMs.length },
  ]
  rows.push(...(await profile(ctx, container, profiled, award, retrieve)))
  return rows
}

/**
 * Where an award's time goes: inclusive time of the main steps (wrapped on their prototypes for this pass only)
 * and the SQL round trips, for a few more fresh orders, against the same figures for retrieveWithTotals.
 */
async function profile(ctx, container, orders, award, retrieve) {
  const proto = (name) => Object.getPrototypeOf(container.resolve(name))
  const domain = ctx.require("../dist/domain/program/accrual.js")
  const parts = [
    ["order load with totals", proto("loyaltyAccrualService"), "loadOrderForFacts"],
    ["member query (replay check, customer, earlier orders, account)", proto("loyaltyAccrualService"), "readOrderMember"],
    ["evaluateAccrual (rules)", domain, "evaluateAccrual"],
    ["ensureAccount", proto("loyaltyLedgerService"), "ensureAccount"],
    ["postUnderLock (all of the write)", proto("loyaltyLedgerService"), "postUnderLock"],
    ["  tier recompute (in the write)", proto("loyaltyTierService"), "recompute"],
    ["    member facts + tier groups SQL", proto("loyaltyTierService"), "readForRecompute"],
    ["    promotions syncMember", proto("loyaltyPromotionService"), "syncMember"],
    ["emit events", proto("eventBusService"), "emit"],
  ]
  const acc = new Map()
  const restore = []
  for (const [label, target, method] of parts) {
    const original = target[method]
    if (typeof original !== "function") throw new Error(`profile: ${method} is not a function`)
    // Keeps a synchronous method synchronous (the evaluator is): an async wrapper would hand callers a Promise.
    target[method] = function (...args) {
      const t = nowMs()
      const done = () => {
        const a = acc.get(label) ?? { ms: 0, calls: 0 }
        a.ms += nowMs() - t
        a.calls++
        acc.set(label, a)
      }
      let result
      try {
        result = original.apply(this, args)
      } catch (e) {
        done()
        throw e
      }
      if (result && typeof result.then === "function") return result.finally(done)
      done()
      return result
    }
    restore.push(() => (target[method] = original))
  }
  // The enqueuer's polls would land in the counts: hold it for this pass.
  const bus = container.resolve("eventBusService")
  await bus.stopEnqueuer()
  const sql = countSql(ctx.require)
  const perAward = []
  const perRetrieve = []
  try {
    for (const id of orders) {
      acc.clear()
      sql.reset()
      const t = nowMs()
      await award(id)
      const ms = nowMs() - t
      perAward.push({ ms, sql: sql.read(), parts: new Map(acc) })
      sql.reset()
      const t2 = nowMs()
      await retrieve(id)
      perRetrieve.push({ ms: nowMs() - t2, sql: sql.read() })
    }
  } finally {
    restore.forEach((f) => f())
    sql.restore()
    bus.startEnqueuer()
  }
  const med = (f, xs) => median(xs.map(f))
  const rows = [
    { name: "profile: award total", unit: "ms", median: med((p) => p.ms, perAward), n: perAward.length },
    ...parts.map(([label]) => ({
      name: `profile: award > ${label}`,
      unit: "ms",
      median: med((p) => p.parts.get(label)?.ms ?? 0, perAward),
      n: perAward.length,
    })),
    { name: "profile: award SQL round trips", unit: "queries", median: med((p) => p.sql.count, perAward), n: perAward.length },
    { name: "profile: award wall time with SQL in flight", unit: "ms", median: med((p) => p.sql.ms, perAward), n: perAward.length },
    { name: "profile: retrieveWithTotals total", unit: "ms", median: med((p) => p.ms, perRetrieve), n: perRetrieve.length },
    { name: "profile: retrieveWithTotals SQL round trips", unit: "queries", median: med((p) => p.sql.count, perRetrieve), n: perRetrieve.length },
    { name: "profile: retrieveWithTotals wall time with SQL in flight", unit: "ms", median: med((p) => p.sql.ms, perRetrieve), n: perRetrieve.length },
  ]
  const get = (n) => rows.find((r) => r.name === n).median
  const calls = (label) => med((p) => p.parts.get(label)?.calls ?? 0, perAward)
  ctx.note(
    `one award ${get("profile: award total").toFixed(1)} ms, ${get("profile: award SQL round trips")} SQL round trips ` +
      `(${get("profile: award wall time with SQL in flight").toFixed(1)} ms of it with SQL in flight); retrieveWithTotals alone ` +
      `${get("profile: retrieveWithTotals total").toFixed(1)} ms, ${get("profile: retrieveWithTotals SQL round trips")} round trips (${get("profile: retrieveWithTotals wall time with SQL in flight").toFixed(1)} ms with SQL in flight). ` +
      `Inside the award: order load with totals ${get("profile: award > order load with totals").toFixed(1)} ms, ` +
      `the write ${get("profile: award > postUnderLock (all of the write)").toFixed(1)} ms (tier recompute ` +
      `${get("profile: award >   tier recompute (in the write)").toFixed(1)} ms), ensureAccount x${calls("ensureAccount")} ` +
      `${get("profile: award > ensureAccount").toFixed(1)} ms, rules ${get("profile: award > evaluateAccrual (rules)").toFixed(2)} ms`
  )
  return rows
}
