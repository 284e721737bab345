// v2_http: on a real Medusa 2.21 app with the packed v2 plugin (ctx.v2()), the plugin's
// GET /store/customers/me/loyalty against Medusa v2's own GET /store/customers/me for the same registered customer
// (bearer token from POST /auth/customer/emailpass, plus the publishable key), under the same autocannon load, in
// alternating rounds (the http section's method on v1), then the SQL round trips of one request of each, counted in
// the server process.
import { compareRoutes, tripsPerRequest } from "../lib/load.mjs"
import { V2_MISSING, v2Installed } from "../lib/v2.mjs"

const TARGET = 1.5

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  if (!v2Installed()) {
    ctx.note(V2_MISSING)
    return []
  }
  // 8 connections, not v1's 16: a v2 request takes 40–100 ms on this 2-core machine, so 16 connections queue for
  // over a second (a 1 s warm-up then completes no request at all) without measuring anything more.
  const size = ctx.quick
    ? { connections: 8, duration_s: 3, rounds: 2, warmup_s: 2, history: 10 }
    : { connections: 8, duration_s: 5, rounds: 3, warmup_s: 3, history: 30 }
  const v2 = await ctx.v2()
  const member = await v2.shop.registerCustomer(`bench-http-${Date.now()}@loyalty.test`)
  // Some history, written through the plugin's own admin route (postAdjustmentWorkflow), so the read has entries.
  for (let i = 0; i < size.history; i++) {
    await v2.api.post(
      `/admin/loyalty/accounts/${member.id}/adjustments`,
      { points: 25, reason: "bench history" },
      { headers: { ...v2.admin.headers, "idempotency-key": `bench:v2-http:${member.id}:${i}` } }
    )
  }

  const targets = [
    { name: "plugin: GET /store/customers/me/loyalty", path: "/store/customers/me/loyalty" },
    { name: "medusa: GET /store/customers/me", path: "/store/customers/me" },
  ]
  for (const t of targets) await v2.api.get(t.path, { headers: member.headers }) // both answer 200 (rejects otherwise)
  const { data } = await v2.api.get("/store/customers/me/loyalty", { headers: member.headers })
  if (data.loyalty_account?.points_balance !== 25 * size.history) {
    throw new Error(`the member's balance is ${data.loyalty_account?.points_balance}, expected ${25 * size.history}`)
  }
  const { rows, ratio } = await compareRoutes(ctx, {
    targets,
    size,
    baseUrl: v2.app.baseUrl,
    headers: member.headers,
    p95: true,
    target: TARGET,
    // counted in the server, one request at a time
    trips: () => tripsPerRequest(targets, (t) => v2.sqlTrips(() => v2.api.get(t.path, { headers: member.headers }), 100)),
  })
  ctx.note(
    `Medusa 2.21 app (packed plugin, medusa start, NODE_ENV=production) in a child process; autocannon in another, ` +
      `${size.connections} connections, ${size.duration_s} s per round, ${size.rounds} rounds per endpoint (A/B then B/A), ` +
      `medians of the rounds' p50, p95 (exact, every response), p99 and req/s; the member has ${size.history} ledger entries. ` +
      `Goal p50 <= ${TARGET}x Medusa's GET /store/customers/me: ${ratio <= TARGET ? "met" : "NOT met"} (${ratio.toFixed(2)}x)`
  )
  return rows
}
