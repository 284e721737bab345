// http: GET /store/customers/me/loyalty against Medusa's own GET /store/customers/me for the same logged-in
// customer (bearer token from POST /store/auth/token), under the same autocannon load, in alternating rounds.
import { storeTripsPerRequest } from "../lib/sql-count.mjs"
import { compareRoutes } from "../lib/load.mjs"

const TARGET = 1.5

/** @param {import("../lib/context.mjs").BenchContext} ctx */
export async function run(ctx) {
  const size = ctx.quick
    ? { connections: 16, duration_s: 3, rounds: 2, warmup_s: 1, history: 10 }
    : { connections: 16, duration_s: 5, rounds: 5, warmup_s: 2, history: 30 }
  const { createCustomer, expectOk } = ctx.require("../scripts/lib/commerce.js")
  const store = await ctx.store()
  const member = await createCustomer(store)
  await giveHistory(store, member.id, size.history)

  const targets = [
    { name: "plugin: GET /store/customers/me/loyalty", path: "/store/customers/me/loyalty" },
    { name: "medusa: GET /store/customers/me", path: "/store/customers/me" },
  ]
  const send = async (t) => expectOk(await member.api.get(t.path), `GET ${t.path}`)
  for (const t of targets) await send(t) // both answer 200 for this token
  const { rows } = await compareRoutes(ctx, {
    targets,
    size,
    baseUrl: store.baseUrl,
    headers: { authorization: `Bearer ${member.token}` },
    target: TARGET,
    trips: () => storeTripsPerRequest(ctx, store, targets, send),
  })
  ctx.note(
    `autocannon in a child process, ${size.connections} connections, ${size.duration_s} s per round, ${size.rounds} rounds per endpoint ` +
      `(A/B then B/A), medians of the rounds' p50, p99 and req/s; the member has ${size.history} ledger entries`
  )
  return rows
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
