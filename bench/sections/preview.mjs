// preview: GET /store/carts/:id/loyalty/preview against Medusa's own GET /store/carts/:id for the same member's cart
// (3 line items, a shipping address and method, the manual payment session), under the same autocannon load, in
// alternating rounds (the http section's method), then the SQL round trips of one request of each.
import { storeTripsPerRequest } from "../lib/sql-count.mjs"
import { compareRoutes } from "../lib/load.mjs"

const TARGET = 1.5

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  // 8 connections and a 3 s warm-up: Medusa's own cart read (retrieveWithTotals with the store's relations) takes
  // 100+ ms on this 2-core machine, so 16 connections for 1 s complete no request at all.
  const size = ctx.quick
    ? { connections: 8, duration_s: 3, rounds: 2, warmup_s: 3 }
    : { connections: 8, duration_s: 5, rounds: 3, warmup_s: 3 }
  const { createCustomer, createProduct, expectOk, prepareCart } = ctx.require("../scripts/lib/commerce.js")
  const { admin, region, variant_id } = await ctx.fixtures()
  const store = await ctx.store()
  const member = await createCustomer(store)
  const shirt = await createProduct(admin, { title: "Bench shirt", price: 1999 })
  const coat = await createProduct(admin, { title: "Bench coat", price: 10000 })
  const items = [{ variant_id, quantity: 2 }, { variant_id: shirt, quantity: 1 }, { variant_id: coat, quantity: 3 }]
  const { cart } = await prepareCart(store, { token: member, region, items })

  const targets = [
    { name: "plugin: GET /store/carts/:id/loyalty/preview", path: `/store/carts/${cart.id}/loyalty/preview` },
    { name: "medusa: GET /store/carts/:id", path: `/store/carts/${cart.id}` },
  ]
  const { preview } = expectOk(await member.api.get(targets[0].path), "GET preview")
  // 50 + 19 + 300 = 369 dollars: at least 369 points, whatever else the rules add.
  if (!(preview.points >= 369)) throw new Error(`the preview says ${JSON.stringify(preview)}, expected at least 369 points`)
  const send = async (t) => expectOk(await member.api.get(t.path), `GET ${t.path}`)
  await send(targets[1])
  const { rows, ratio } = await compareRoutes(ctx, {
    targets,
    size,
    baseUrl: store.baseUrl,
    headers: { authorization: `Bearer ${member.token}` },
    target: TARGET,
    trips: () => storeTripsPerRequest(ctx, store, targets, send),
  })
  ctx.note(
    `autocannon in a child process, ${size.connections} connections, ${size.duration_s} s per round, ${size.rounds} rounds per endpoint ` +
      `(A/B then B/A); a cart of 3 lines with shipping and a payment session. Goal p50 <= ${TARGET}x Medusa's GET /store/carts/:id: ` +
      `${ratio <= TARGET ? "met" : "NOT met"} (${ratio.toFixed(2)}x)`
  )
  return rows
}
