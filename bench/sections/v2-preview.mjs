// v2_preview: on a real Medusa 2.21 app with the packed v2 plugin (ctx.v2()), the plugin's
// GET /store/carts/:id/loyalty/preview against Medusa v2's own GET /store/carts/:id for the same member's cart
// (3 line items, a shipping address and method), under the same autocannon load, in alternating rounds (v2_http's
// method), then the SQL round trips of one request of each, counted in the server process.
import { compareRoutes, tripsPerRequest } from "../lib/load.mjs"
import { V2_MISSING, v2Installed } from "../lib/v2.mjs"

const TARGET = 1.5

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  if (!v2Installed()) {
    ctx.note(V2_MISSING)
    return []
  }
  const size = ctx.quick
    ? { connections: 8, duration_s: 3, rounds: 2, warmup_s: 2 }
    : { connections: 8, duration_s: 5, rounds: 3, warmup_s: 3 }
  const v2 = await ctx.v2()
  const { api, shop } = v2
  const member = await shop.registerCustomer(`bench-preview-${Date.now()}@loyalty.test`)
  const h = { headers: member.headers }
  const { data: { cart } } = await api.post("/store/carts", { region_id: shop.region.id, sales_channel_id: shop.sc }, h)
  for (const [price, quantity] of [[25, 2], [19.99, 1], [100, 3]]) {
    await api.post(`/store/carts/${cart.id}/line-items`, { variant_id: await shop.variantAt(price), quantity }, h)
  }
  await api.post(`/store/carts/${cart.id}`, { shipping_address: { first_name: "F", last_name: "L", address_1: "1 St", city: "Berlin", postal_code: "10115", country_code: "de" } }, h)
  const { data: { shipping_options } } = await api.get(`/store/shipping-options?cart_id=${cart.id}`, h)
  await api.post(`/store/carts/${cart.id}/shipping-methods`, { option_id: shipping_options[0].id }, h)

  const targets = [
    { name: "plugin: GET /store/carts/:id/loyalty/preview", path: `/store/carts/${cart.id}/loyalty/preview` },
    { name: "medusa: GET /store/carts/:id", path: `/store/carts/${cart.id}` },
  ]
  const { data } = await api.get(targets[0].path, h)
  // 50 + 19 + 300 = 369 euros: 369 points (and the first-order bonus), whatever else the rules add.
  if (!(data.preview?.points >= 369)) throw new Error(`the preview says ${JSON.stringify(data.preview)}, expected at least 369 points`)
  await api.get(targets[1].path, h)
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
    `Medusa 2.21 app (packed plugin) in a child process; autocannon in another, ${size.connections} connections, ` +
      `${size.duration_s} s per round, ${size.rounds} rounds per endpoint (A/B then B/A); a cart of 3 lines with shipping. ` +
      `Goal p50 <= ${TARGET}x Medusa's GET /store/carts/:id: ${ratio <= TARGET ? "met" : "NOT met"} (${ratio.toFixed(2)}x)`
  )
  return rows
}
