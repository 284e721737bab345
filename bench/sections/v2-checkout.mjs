// v2_checkout: what the plugin adds to a cart completion (POST /store/carts/:id/complete) on Medusa 2.21, the bench
// app with the packed plugin (ctx.v2()) and the same app without it (ctx.v2Baseline()).
//  1. A member's cart paying with a loyalty code (POST /store/customers/me/loyalty/redemptions with the cart's id:
//     the plugin applies its promotion to the cart; at completion its checkout guard, the completeCartWorkflow
//     validate hook, claims the code in loyalty_redemption_use) against the same cart paying with a plain Medusa
//     promotion of the same value and shape (fixed amount off the order, the member's only, single use), on the same
//     app. Also a cart paying with applied points (POST /store/carts/:id/loyalty/points: a credit line, debited by the
//     same hook under the member's account lock) against that plain promotion, when the packed plugin has the route
//     (else a note says so).
//  2. A cart without any loyalty code on the plugin app against the same cart on the app without the plugin:
//     nothing may be added to it. Its latency, the SQL statements naming a loyalty_ table in the completion (counted
//     in the server, up to the complete-cart workflow's last write: the order.placed subscribers that follow are not
//     the checkout's), all its round trips on both apps, and no loyalty_redemption_use row for such a cart (checked;
//     the section fails otherwise).
// Carts are prepared beforehand (item, address, shipping, code, payment session) and completed one at a time, the
// kinds interleaved, in reverse order every other round. Each completion (on either app) starts once the plugin
// app's earlier orders have their accrual entries and its app is idle: the completion is timed alone, not with the
// previous order's order.placed subscribers (accrual, settlement, referral; v2_order_placed measures them) running
// beside it on the same cores, which the app without the plugin never has. The no-code completions are also timed
// back to back as before (labelled so, no goal): the difference between the two is that background work. Both apps
// are booted fresh for the section, and the app without the plugin completes a ballast cart for each coded cart of
// the plugin app, so both have served as many completions at every measured one.
import { median, percentile } from "../lib/stats.mjs"
import { completeV2Cart, prepareV2Cart } from "../lib/v2-checkout.mjs"
import { waitForIdleProcesses } from "../lib/machine.mjs"
import { V2_MISSING, v2Installed } from "../lib/v2.mjs"

const TARGET = 1.05
const BALLAST = "ballast"
const POINTS = 500 // the default program's minimum redemption (5.00 eur)

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  if (!v2Installed()) {
    ctx.note(V2_MISSING)
    return []
  }
  const size = ctx.quick ? { rounds: 2, carts: 3, profiled: 3 } : { rounds: 6, carts: 8, profiled: 5 }
  // Both apps freshly booted on fresh databases: neither carries the earlier sections' orders and requests (see the
  // ballast below for why that history matters).
  await ctx.alone()
  const v2 = await ctx.v2()
  const bare = await ctx.v2Baseline()
  const stamp = Date.now()
  const member = await v2.shop.registerCustomer(`bench-checkout-${stamp}@loyalty.test`)
  const bareMember = await bare.shop.registerCustomer(`bench-checkout-${stamp}@loyalty.test`)
  // Points to spend, through the plugin's own admin route (an adjustment).
  await v2.api.post(
    `/admin/loyalty/accounts/${member.id}/adjustments`,
    { points: 2 * POINTS * (size.rounds * size.carts + 2), reason: "bench checkout" },
    { headers: { ...v2.admin.headers, "idempotency-key": `bench:v2-checkout:${member.id}` } }
  )

  let value = null // the loyalty code's promotion value, copied by the plain promotions
  const withLoyaltyCode = (cart_id) =>
    v2.api
      .post(
        "/store/customers/me/loyalty/redemptions",
        { points: POINTS, cart_id },
        { headers: { ...member.headers, "idempotency-key": `bench:v2-checkout:${cart_id}` } }
      )
      .then(({ data }) => (value ??= { amount: data.redemption.amount / 100, currency_code: data.redemption.currency_code }))
  let plainCount = 0
  const withPlainPromotion = async (cart_id) => {
    const code = `PLAIN${stamp}X${plainCount++}`
    await v2.api.post(
      "/admin/promotions",
      {
        code, type: "standard", status: "active", is_automatic: false, limit: 1,
        application_method: { type: "fixed", target_type: "order", allocation: "across", value: value.amount, currency_code: value.currency_code },
        rules: [{ attribute: "customer.id", operator: "eq", values: [member.id] }],
      },
      v2.admin
    )
    await v2.api.post(`/store/carts/${cart_id}/promotions`, { promo_codes: [code] }, { headers: member.headers })
  }
  const withPoints = (cart_id) => v2.api.post(`/store/carts/${cart_id}/loyalty/points`, { points: POINTS }, { headers: member.headers })
  const kinds = {
    points: () => prepareV2Cart(v2, member, { beforePayment: withPoints }).then((id) => ({ app: v2, who: member, id })),
    loyalty: () => prepareV2Cart(v2, member, { beforePayment: withLoyaltyCode }).then((id) => ({ app: v2, who: member, id })),
    plain: () => prepareV2Cart(v2, member, { beforePayment: withPlainPromotion }).then((id) => ({ app: v2, who: member, id })),
    none: () => prepareV2Cart(v2, member).then((id) => ({ app: v2, who: member, id })),
    bare: () => prepareV2Cart(bare, bareMember).then((id) => ({ app: bare, who: bareMember, id })),
  }
  /** The plugin app's orders whose accrual entry is not seen yet. */
  let pending = []
  const accrued = async () => {
    const t0 = Date.now()
    while (pending.length) {
      const [{ n }] = await v2.query(`SELECT count(DISTINCT order_id)::int AS n FROM loyalty_ledger_entry WHERE kind = 'accrual' AND order_id = ANY($1)`, [pending])
      if (n === pending.length) pending = []
      else if (Date.now() - t0 > 30_000) throw new Error(`${pending.length - n} of ${pending.length} orders without an accrual entry after 30 s`)
      else await new Promise((r) => setTimeout(r, 2))
    }
  }
  /**
   * Until `app`'s process is idle (under 8 ms of CPU over 100 ms; 3 s at most): waiting for the accrual entry alone
   * left the other order.placed subscribers of a coded order (the code's settlement, the points' bookkeeping) running
   * into the next completion, which then paid for them though its cart had no loyalty at all.
   */
  const idle = (app) => waitForIdleProcesses([() => app.cpuMs()], { window_ms: 100, busy_ms: 8, max_ms: 3000 })
  // settle: false times the completion back to back, while the previous order's subscribers may still run.
  // cpu: the server's CPU time over the completion is pushed there (whatever the process did meanwhile).
  const complete = async (c, { settle = true, cpu = null } = {}) => {
    if (settle) {
      // The plugin app's CPU while its previous order's subscribers finish (at least: they may start before the answer).
      const cpu0 = pending.length === 1 ? await v2.cpuMs() : null
      await accrued()
      if (cpu0 !== null) afterAnswer.push((await v2.cpuMs()) - cpu0)
      await idle(c.app)
    }
    const cpu0 = cpu ? await c.app.cpuMs() : 0
    const { order, ms } = await completeV2Cart(c.app, c.who, c.id)
    if (cpu) cpu.push((await c.app.cpuMs()) - cpu0)
    if (c.app === v2) pending.push(order.id)
    return ms
  }
  /** Server CPU ms per no-code completion: settled (none, bare) and back to back (b2b_none, b2b_bare). */
  const cpu = { none: [], bare: [], b2b_none: [], b2b_bare: [] }
  /** The plugin app's CPU ms from the moment a completion answered until its order's accrual entry was seen. */
  const afterAnswer = []

  // Warm-up: one of each (the guard's first claim, plans, caches); the loyalty code first (it sets the plain value).
  ctx.log("  warm-up: one completion of each kind")
  for (const kind of ["loyalty", "plain", "none", "bare"]) await complete(await kinds[kind]())
  const points = await kinds.points().catch((e) => {
    if (e?.response?.status !== 404) throw e
    return null // a build without points in the cart
  })
  if (points) await complete(points)
  for (let i = 0; i < (points ? 3 : 2); i++) await complete(await kinds.bare()) // the ballast of the warm-up's coded carts
  afterAnswer.length = 0 // the warm-up's first orders are not typical
  if (!points) {
    delete kinds.points
    ctx.note("applied points: skipped, POST /store/carts/:id/loyalty/points answered 404 (not in this build of the plugin)")
  }
  const ms = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]))
  const noneCarts = []
  ctx.log(
    `  ${size.rounds} rounds x ${size.carts} carts per kind, prepared beforehand, completed one at a time, interleaved; ` +
      `then (or first, every other round) ${size.carts} no-code carts per app back to back`
  )
  // Back to back (the way it was measured before): each completion starts as soon as the previous one answered,
  // whatever its order's subscribers are still doing. Same rounds as the settled ones, alternating which goes first.
  const b2b = { none: [], bare: [] }
  // Ballast: for every coded cart the plugin app completes (loyalty code, points, plain promotion), the app without
  // the plugin completes a no-code cart of its member, unmeasured, in the same place of the sequence. Both apps then
  // have served as many completions, and both members have as many orders, at every measured no-code completion.
  // Without it, a full run's no-code completions slowed from 225 to 272 ms over the rounds on the plugin app (40
  // completions a round) and from 221 to 241 ms on the other (16 a round): the plugin app paid for its extra history.
  const settled = async (r) => {
    const carts = []
    for (let i = 0; i < size.carts; i++) {
      for (const [kind, make] of Object.entries(kinds)) {
        carts.push({ kind, ...(await make()) })
        if (kind !== "none" && kind !== "bare") carts.push({ kind: BALLAST, ...(await kinds.bare()) })
      }
    }
    if (r % 2) carts.reverse()
    for (const c of carts) {
      const took = await complete(c, { cpu: cpu[c.kind] ?? null })
      if (c.kind !== BALLAST) ms[c.kind].push(took)
      if (c.kind === "none") noneCarts.push(c.id)
    }
  }
  const backToBack = async (r) => {
    const carts = []
    for (let i = 0; i < size.carts; i++) for (const kind of ["none", "bare"]) carts.push({ kind, ...(await kinds[kind]()) })
    if (r % 2) carts.reverse()
    await accrued()
    for (const c of carts) {
      b2b[c.kind].push(await complete(c, { settle: false, cpu: cpu[`b2b_${c.kind}`] }))
      if (c.kind === "none") noneCarts.push(c.id)
    }
  }
  for (let r = 0; r < size.rounds; r++) {
    for (const phase of r % 2 ? [backToBack, settled] : [settled, backToBack]) await phase(r)
    ctx.log(
      `  round ${r + 1}/${size.rounds}: p50 loyalty code ${median(ms.loyalty).toFixed(1)} ms, ` +
        `${kinds.points ? `applied points ${median(ms.points).toFixed(1)} ms, ` : ""}plain promotion ${median(ms.plain).toFixed(1)} ms, ` +
        `no code ${median(ms.none).toFixed(1)} ms, no code without the plugin ${median(ms.bare).toFixed(1)} ms; back to back ` +
        `${median(b2b.none).toFixed(1)} vs ${median(b2b.bare).toFixed(1)} ms`
    )
  }
  ctx.log(
    `  server CPU per no-code completion settled ${median(cpu.none).toFixed(1)} vs ${median(cpu.bare).toFixed(1)} ms, back to back ` +
      `${median(cpu.b2b_none).toFixed(1)} vs ${median(cpu.b2b_bare).toFixed(1)} ms; plugin app CPU after an answer until the ` +
      `order's accrual entry ${median(afterAnswer).toFixed(1)} ms`
  )

  // The completion of a cart without loyalty, counted in each server, one request at a time: its statements up to
  // the complete-cart workflow's last write (its stored execution). What follows in the same request is the
  // order.placed subscribers (accrual, settlement, referral: the event is released when the workflow ends and they
  // may start before the answer leaves), which are not the checkout's and are measured by v2_order_placed.
  const trips = { loyalty: [], all: [], bare: [] }
  const show = process.env.BENCH_SQL_TEXTS === "1"
  for (let i = 0; i < size.profiled; i++) {
    const c = await kinds.none()
    noneCarts.push(c.id)
    await accrued() // the previous order's subscribers are not in the count
    const mine = completionPart((await v2.sqlProfile(() => complete(c, { settle: false }))).texts)
    const named = mine.filter((t) => /\bloyalty_/.test(t))
    trips.all.push(mine.length)
    trips.loyalty.push(named.length)
    const b = await kinds.bare()
    const base = completionPart((await bare.sqlProfile(() => complete(b))).texts)
    trips.bare.push(base.length)
    // BENCH_SQL_TEXTS=1: the first profiled completion's statements on both apps, to see what the plugin app adds.
    if (show && i === 0) {
      const list = (xs) => xs.map((t, n) => `    ${n + 1}. ${t}`).join("\n")
      ctx.log(`  completion without loyalty, plugin app: ${mine.length} statements\n${list(mine)}`)
      ctx.log(`  the same completion without the plugin: ${base.length} statements\n${list(base)}`)
    }
  }
  const [{ n: claimed }] = await v2.query(`SELECT count(*)::int AS n FROM loyalty_redemption_use WHERE cart_id = ANY($1)`, [noneCarts])
  if (claimed) throw new Error(`${claimed} loyalty_redemption_use rows for carts without any loyalty code`)

  ctx.note(
    `${size.rounds * size.carts} completions per kind, one at a time (the kinds interleaved, reversed every other round), ` +
      `each started once the plugin app's earlier orders had their accrual entries (the back-to-back rows: as soon as the previous one answered), ` +
      `each cart prepared beforehand (one 25 eur item, address, shipping, code, payment session); the loyalty code is a ${POINTS}-point ` +
      `redemption applied to the cart${kinds.points ? `, the applied points ${POINTS} points on the cart (a credit line)` : ""}, the plain promotion a Medusa promotion of the same value and shape (fixed ${value?.amount} ` +
      `${value?.currency_code} off the order, the member only, limit 1); no loyalty_redemption_use row for any of the ` +
      `${noneCarts.length} carts without a code`
  )
  const stat = (name, xs, extra = {}) => ({ name, unit: "ms", median: median(xs), p99: percentile(xs, 99), n: xs.length, ...extra })
  const PLAIN = "medusa: the same cart with a plain promotion of the same value: latency"
  const BARE = "medusa without the plugin: the same cart without a code: latency"
  const BARE_B2B = "medusa without the plugin: the same cart without a code, back to back: latency"
  const CPU_BARE = "medusa without the plugin: server CPU over the same completion"
  const CPU_BARE_B2B = "medusa without the plugin: server CPU over the same completion, back to back"
  return [
    stat("plugin: complete a cart paying with a loyalty code: latency", ms.loyalty, { baseline_name: PLAIN, target: TARGET }),
    ...(kinds.points
      ? [stat(`plugin: complete a cart paying ${POINTS} applied points: latency`, ms.points, { baseline_name: PLAIN, target: TARGET })]
      : []),
    stat(PLAIN, ms.plain),
    stat("plugin app: complete a cart without any loyalty code: latency", ms.none, { baseline_name: BARE, target: TARGET }),
    stat(BARE, ms.bare),
    // No goal: the previous order's subscribers may run during these (background work, not the completion's).
    stat("plugin app: complete a cart without any loyalty code, back to back: latency", b2b.none, { baseline_name: BARE_B2B }),
    stat(BARE_B2B, b2b.bare),
    // The server process's CPU over each no-code completion: steadier than latency on a shared machine.
    { ...stat("plugin app: server CPU over a completion without any loyalty code", cpu.none, { baseline_name: CPU_BARE }), unit: "ms CPU" },
    { ...stat(CPU_BARE, cpu.bare), unit: "ms CPU" },
    { ...stat("plugin app: server CPU over that completion, back to back", cpu.b2b_none, { baseline_name: CPU_BARE_B2B }), unit: "ms CPU" },
    { ...stat(CPU_BARE_B2B, cpu.b2b_bare), unit: "ms CPU" },
    // What the back-to-back rows may overlap: the previous order's subscribers (at least this much, they may start sooner).
    { ...stat("plugin app: server CPU after a completion's answer until its order's accrual entry", afterAnswer), unit: "ms CPU" },
    {
      name: "plugin: SQL statements naming a loyalty_ table in a completion without loyalty", unit: "queries",
      median: median(trips.loyalty), n: trips.loyalty.length, max: 0,
    },
    {
      name: "plugin app: SQL round trips of that completion (complete-cart workflow)", unit: "queries", median: median(trips.all),
      n: trips.all.length, baseline_name: "medusa without the plugin: SQL round trips of the same completion",
    },
    { name: "medusa without the plugin: SQL round trips of the same completion", unit: "queries", median: median(trips.bare), n: trips.bare.length },
  ]
}

/**
 * The statements of a completion request up to the complete-cart workflow's last write (the update of its stored
 * execution and that transaction's COMMIT); the whole list when no such write is seen.
 * @param {string[]} texts
 */
function completionPart(texts) {
  let end = -1
  texts.forEach((t, i) => {
    if (/workflow_execution/.test(t) && /complete-cart/.test(t)) end = i
  })
  if (end < 0) return texts
  if (/^\s*COMMIT/i.test(texts[end + 1] ?? "")) end++
  return texts.slice(0, end + 1)
}
