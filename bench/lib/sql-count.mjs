// Counts SQL round trips of node-postgres clients (TypeORM's driver and raw pools alike) and the wall time during
// which at least one of them was in flight: a profile that needs no change to the code measured.
import { nowMs } from "./stats.mjs"
import { tripsPerRequest } from "./load.mjs"

/**
 * Wraps pg's Client.prototype.query until `restore()`. Medusa issues some queries of one retrieval concurrently on
 * one client (pg queues them), so time is the union of in-flight intervals, not a sum of per-query durations.
 * @param {NodeJS.Require} require a require that resolves the same `pg` as TypeORM (node_modules of the repo)
 */
export function countSql(require) {
  const { Client } = require("pg")
  const original = Client.prototype.query
  let count = 0
  let ms = 0
  /** @type {string[]} the statements' text, for a caller that counts some of them */
  let texts = []
  let inflight = 0
  let since = 0
  const begin = () => {
    count++
    if (inflight++ === 0) since = nowMs()
  }
  const end = () => {
    if (--inflight === 0) ms += nowMs() - since
  }
  Client.prototype.query = function (...args) {
    begin()
    texts.push(typeof args[0] === "string" ? args[0] : String(args[0]?.text ?? ""))
    const cb = typeof args.at(-1) === "function" ? args.length - 1 : -1
    if (cb >= 0) {
      const done = args[cb]
      args[cb] = function (...r) {
        end()
        return done.apply(this, r)
      }
      return original.apply(this, args)
    }
    let res
    try {
      res = original.apply(this, args)
    } catch (e) {
      end()
      throw e
    }
    if (res && typeof res.then === "function") res.then(end, end)
    else end() // a submittable without callback: not awaited by TypeORM; count it, time it as instant
    return res
  }
  return {
    reset: () => ((count = 0), (ms = 0), (texts = [])),
    read: () => ({ count, ms, texts }),
    restore: () => (Client.prototype.query = original),
  }
}

/**
 * Each target's SQL round trips per request on a v1 store that runs in this process: `send(t)` sends one request
 * (and throws on a non-2xx answer); 5 requests per target, one at a time, with Medusa's event enqueuer stopped
 * meanwhile (its polls would land in the counts).
 * @returns {Promise<Map<string, number[]>>}
 */
export async function storeTripsPerRequest(ctx, store, targets, send) {
  const bus = store.container.resolve("eventBusService")
  await bus.stopEnqueuer()
  const sql = countSql(ctx.require)
  try {
    return await tripsPerRequest(targets, async (t) => {
      sql.reset()
      await send(t)
      return sql.read().count
    })
  } finally {
    sql.restore()
    bus.startEnqueuer()
  }
}
