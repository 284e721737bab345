// v2_order_placed: on a real Medusa 2.21 app with the packed v2 plugin (ctx.v2()), what order.placed costs the
// plugin against Medusa v2's own admin order retrieval of the same order.
//  1. First award: orders created with Medusa's createOrderWorkflow (it emits no order.placed, so no order is
//     awarded before it is measured), then, per order, the app's bench route POST /admin/loyalty-bench/order-placed/:id
//     runs the plugin's own order.placed subscriber (accrueOrder: key lookup, the posting, and the follow-ups workflow when the accrual needs one) in the server process; against
//     GET /admin/orders/:id of the same order (Medusa's default admin fields). Both are timed by the bench over HTTP
//     (same admin token, same connection handling), which one runs first alternates; the subscriber's duration
//     measured inside the server is reported too.
//  2. End to end: real carts completed over the store API (POST /store/carts/:id/complete, the event bus delivers
//     order.placed to the plugin's subscriber): from the completion request until the accrual entry is in the
//     database (polled every ~2 ms), and how much of that comes after the completion's answer.
import { median, nowMs, percentile } from "../lib/stats.mjs"
import { V2_MISSING, v2Installed } from "../lib/v2.mjs"

const TARGET = 1.5
const BASELINE = "medusa: GET /admin/orders/:id (same order)"

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  if (!v2Installed()) {
    ctx.note(V2_MISSING)
    return []
  }
  const size = ctx.quick ? { members: 2, measured: 8, profiled: 3, carts: 3 } : { members: 4, measured: 24, profiled: 4, carts: 8 }
  const v2 = await ctx.v2()
  const { api, admin, shop, query } = v2
  const members = []
  for (let i = 0; i < size.members; i++) members.push(await shop.registerCustomer(`bench-op-${Date.now()}-${i}@loyalty.test`))

  // Orders never awarded: the first of each member is the warm-up (first-order bonus, plans, caches).
  const total = size.members + size.measured + size.profiled
  ctx.log(`  creating ${total} orders for ${size.members} members with createOrderWorkflow (no order.placed)`)
  const address = { first_name: "F", last_name: "L", address_1: "1 St", city: "Berlin", postal_code: "10115", country_code: "de" }
  const orders = []
  for (let i = 0; i < total; i++) {
    const m = members[i % size.members]
    const { data } = await api.post(
      "/admin/loyalty-bench/orders",
      {
        region_id: shop.region.id, sales_channel_id: shop.sc, customer_id: m.id, email: m.email, currency_code: "eur",
        status: "pending", items: [{ variant_id: v2.variant_id, quantity: 1 + (i % 3) }], shipping_address: address,
      },
      admin
    )
    orders.push(data.ids[0])
  }
  const accrued = await query(`SELECT count(*)::int AS n FROM loyalty_ledger_entry WHERE order_id = ANY($1)`, [orders])
  if (accrued[0].n) throw new Error(`${accrued[0].n} of the bench orders were awarded before the measurement`)

  const time = async (fn) => {
    const t = nowMs()
    const value = await fn()
    return { ms: nowMs() - t, value }
  }
  const award = (id) => api.post(`/admin/loyalty-bench/order-placed/${id}`, {}, admin)
  const retrieve = (id) => api.get(`/admin/orders/${id}`, admin)
  const warm = orders.slice(0, size.members)
  const measured = orders.slice(size.members, size.members + size.measured)
  const profiled = orders.slice(size.members + size.measured)
  for (const id of warm) {
    await award(id)
    await retrieve(id)
  }
  const awardMs = []
  const serverMs = []
  const retrieveMs = []
  for (const [i, id] of measured.entries()) {
    const plugin = async () => {
      const { ms, value } = await time(() => award(id))
      awardMs.push(ms)
      serverMs.push(value.data.ms)
    }
    const medusa = async () => retrieveMs.push((await time(() => retrieve(id))).ms)
    if (i % 2 === 0) {
      await plugin()
      await medusa()
    } else {
      await medusa()
      await plugin()
    }
  }
  const awarded = await query(
    `SELECT count(*)::int AS n FROM loyalty_ledger_entry WHERE kind = 'accrual' AND points > 0 AND order_id = ANY($1)`,
    [measured]
  )
  if (awarded[0].n !== measured.length) throw new Error(`only ${awarded[0].n} of ${measured.length} measured orders were awarded`)
  const replayMs = []
  for (const id of measured.slice(0, Math.min(8, measured.length))) replayMs.push((await time(() => award(id))).ms)
  // SQL round trips, counted in the server, one request at a time (with 300 ms after it for what its events trigger).
  const trips = { award: [], replay: [], retrieve: [] }
  // BENCH_SQL_TEXTS=1 prints the statements of the first profiled award and replay on stderr.
  const show = process.env.BENCH_SQL_TEXTS === "1"
  for (const [i, id] of profiled.entries()) {
    for (const [kind, run] of [["award", () => award(id)], ["replay", () => award(id)], ["retrieve", () => retrieve(id)]]) {
      const { count, texts } = await v2.sqlProfile(run, 300)
      trips[kind].push(count)
      if (show && i === 0 && kind !== "retrieve") ctx.log(`  ${kind}: ${count} statements\n${texts.map((t, n) => `    ${n + 1}. ${t}`).join("\n")}`)
    }
  }

  // End to end through a real checkout: the event bus delivers order.placed to the subscriber after the workflow.
  ctx.log(`  ${size.carts} checkouts through the store API, polling for each accrual entry`)
  const e2e = []
  for (let i = 0; i < size.carts; i++) {
    let complete = null
    v2.hooks.afterPost = (path, t0, t1) => {
      if (/^\/store\/carts\/[^/]+\/complete$/.test(path)) complete = { t0, t1 }
    }
    let order
    try {
      order = await shop.placeOrder(members[i % size.members], [{ price: 25, quantity: 1 + (i % 3) }])
    } finally {
      v2.hooks.afterPost = undefined
    }
    if (!complete) throw new Error("the cart completion was not seen")
    const key = `order:${order.id}:accrual`
    let seen = null
    while (seen === null) {
      const rows = await query(`SELECT 1 FROM loyalty_ledger_entry WHERE idempotency_key = $1`, [key])
      if (rows.length) seen = nowMs()
      else if (nowMs() - complete.t1 > 30_000) throw new Error(`no accrual entry for ${order.id} 30 s after its cart completed`)
      else await new Promise((r) => setTimeout(r, 2))
    }
    e2e.push({ complete_ms: complete.t1 - complete.t0, until_entry_ms: seen - complete.t0, after_answer_ms: Math.max(0, seen - complete.t1) })
  }

  const stat = (name, xs, extra = {}) => ({ name, unit: "ms", median: median(xs), p99: percentile(xs, 99), n: xs.length, ...extra })
  const rows = [
    stat("plugin: order.placed subscriber, first award (HTTP bench route)", awardMs, { baseline_name: BASELINE, target: TARGET }),
    // No ratio: timed inside the server, without the HTTP and auth the baseline's figure includes.
    stat("plugin: order.placed subscriber, first award (timed in the server)", serverMs),
    stat("plugin: order.placed subscriber, replay (HTTP bench route)", replayMs),
    stat(BASELINE, retrieveMs),
    { name: "plugin: SQL round trips per first award", unit: "queries", median: median(trips.award), n: trips.award.length, max: 12 },
    { name: "plugin: SQL round trips per replay", unit: "queries", median: median(trips.replay), n: trips.replay.length, max: 3 },
    { name: "medusa: SQL round trips per GET /admin/orders/:id", unit: "queries", median: median(trips.retrieve), n: trips.retrieve.length },
    stat("e2e: POST /store/carts/:id/complete (answer)", e2e.map((x) => x.complete_ms)),
    stat("e2e: cart completion request -> accrual entry in the database", e2e.map((x) => x.until_entry_ms), {
      baseline_name: "e2e: POST /store/carts/:id/complete (answer)",
    }),
    stat("e2e: accrual entry after the completion's answer", e2e.map((x) => x.after_answer_ms)),
  ]
  ctx.note(
    `Medusa 2.21 app (packed plugin, NODE_ENV=production) in a child process, default in-memory event bus; ` +
      `${size.measured} fresh orders (createOrderWorkflow, ${size.members} members, 1 warm-up order each), plugin and ` +
      `baseline alternating first; ${size.carts} real checkouts for the end-to-end rows (entry polled every ~2 ms)`
  )
  return rows
}
