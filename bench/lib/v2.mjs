// The v2 sections' store: a real Medusa 2.21 app with the packed v2 plugin installed (v2/scripts/lib/bench-app.js:
// pack, install into a cached host app, migrate a throwaway database, `medusa start` in a child process), set up
// over HTTP as a storefront and an admin do (v2/scripts/lib/store-http.js: publishable key, DE region in eur,
// shipping, a product at 25 eur). Booted once per bench run by ctx.v2() (context.mjs), stopped by ctx.close().
import { createRequire } from "node:module"
import { nowMs } from "./stats.mjs"

const require = createRequire(import.meta.url)
const benchApp = require("../../v2/scripts/lib/bench-app.js")
const storeHttp = require("../../v2/scripts/lib/store-http.js")

/** Whether v2/ has its node_modules (without them the v2 sections skip, with this message). */
export const v2Installed = () => benchApp.v2Installed()
export const V2_MISSING =
  "skipped: the v2 project is not installed (v2/node_modules missing). Install it with `cd v2 && npm install --no-audit --no-fund`, then run again"

/**
 * @typedef {object} V2Store
 * @property {any} app what startBenchApp answered (baseUrl, databaseUrl, timings, stop)
 * @property {any} api store-http's fetch client on the app (axios-like: { status, data }, rejects on ≥ 400)
 * @property {{ afterPost?: (path: string, t0: number, t1: number) => void }} hooks called after every POST of `api`
 *   (a section times one call of a multi-call helper, e.g. the cart completion of placeOrder, with it)
 * @property {{ headers: Record<string, string> }} admin bearer headers of the app's admin user
 * @property {any} shop setUpStore's helpers (registerCustomer, placeOrder, region, sc, pk, variantAt)
 * @property {string} variant_id the 25 eur product's variant
 * @property {(sql: string, params?: unknown[]) => Promise<any[]>} query SQL on the app's database (one pooled client)
 * @property {(fn: () => Promise<unknown>, settle_ms?: number) => Promise<number>} sqlTrips the server's SQL round
 *   trips during `fn` (and `settle_ms` after it, for work its events trigger), counted in the server process
 *   (GET /loyalty-bench/sql of bench-app.js); send nothing else meanwhile
 * @property {(fn: () => Promise<unknown>, settle_ms?: number) => Promise<{ count: number, texts: string[] }>} sqlProfile
 *   sqlTrips with the text of each statement, in order (where the round trips go)
 * @property {() => Promise<number>} cpuMs the server process's CPU time so far (user + system, ms; GET /loyalty-bench/sql):
 *   its difference over a request is the CPU the server spent meanwhile, on that request or on anything else
 * @property {() => Promise<{ ms: number, major_ms: number, heap_used_mb: number }>} gc the server's main-thread
 *   garbage-collection pauses so far (all, mark-compact only; ms) and its heap in use now (GET /loyalty-bench/sql)
 * @property {() => Promise<void>} stop
 */

/**
 * @param {{ baseDbUrl: string, log: (msg: string) => void, withoutPlugin?: boolean }} opts `withoutPlugin`: the same
 *   host app with no plugin in its config (the baseline store of v2_checkout and v2_load)
 * @returns {Promise<V2Store>}
 */
export async function startV2({ baseDbUrl, log, withoutPlugin = false }) {
  const pg = require("pg")
  const t0 = Date.now()
  const app = await benchApp.startBenchApp({ baseDbUrl, pg, withoutPlugin, log: (m) => log(`  ${m}`) })
  const pool = new pg.Pool({ connectionString: app.databaseUrl, max: 1 })
  const stop = async () => {
    await pool.end().catch(() => {})
    await app.stop()
  }
  try {
    const t = app.timings
    log(
      `  v2 app up on ${app.baseUrl} in ${((Date.now() - t0) / 1000).toFixed(0)} s (prepare ${(t.prepare_ms / 1000).toFixed(0)} s` +
        `${app.reused ? ", cached" : ""}, ${app.fromTemplate ? "database from the migrated template" : `migrate ${(t.migrate_ms / 1000).toFixed(0)} s, admin user ${(t.user_ms / 1000).toFixed(0)} s`}, ` +
        `boot ${(t.boot_ms / 1000).toFixed(0)} s)`
    )
    const raw = storeHttp.fetchApi(app.baseUrl)
    /** @type {V2Store["hooks"]} */
    const hooks = {}
    const api = {
      ...raw,
      post: async (/** @type {string} */ path, /** @type {any} */ body, /** @type {any} */ opts) => {
        const start = nowMs()
        try {
          return await raw.post(path, body, opts)
        } finally {
          hooks.afterPost?.(path, start, nowMs())
        }
      },
    }
    const admin = await storeHttp.adminHeaders(api, app.admin.email, app.admin.password)
    const shop = await storeHttp.setUpStore(api, admin, [25])
    const variant_id = await shop.variantAt(25)
    const query = async (/** @type {string} */ sql, /** @type {unknown[]} */ params = []) => (await pool.query(sql, params)).rows
    const sqlCount = async () => {
      const { data } = await raw.get("/loyalty-bench/sql")
      if (typeof data.count !== "number") throw new Error("the v2 app counts no SQL (bench-preload.js not loaded)")
      return data.count
    }
    // Reading the counter makes no query: two reads in a row agree (else the figures would be off by that).
    if ((await sqlCount()) !== (await sqlCount())) throw new Error("GET /loyalty-bench/sql itself makes SQL round trips")
    const sqlTrips = async (/** @type {() => Promise<unknown>} */ fn, settle_ms = 0) => {
      const before = await sqlCount()
      await fn()
      if (settle_ms) await new Promise((r) => setTimeout(r, settle_ms))
      return (await sqlCount()) - before
    }
    const sqlProfile = async (/** @type {() => Promise<unknown>} */ fn, settle_ms = 0) => {
      const count = await sqlTrips(fn, settle_ms)
      const { data } = await raw.get(`/loyalty-bench/sql?texts=${count}`)
      return { count, texts: count > 0 ? data.texts : [] }
    }
    const cpuMs = async () => {
      const { data } = await raw.get("/loyalty-bench/sql")
      if (typeof data.cpu_us !== "number") throw new Error("the v2 app's GET /loyalty-bench/sql answers no cpu_us")
      return data.cpu_us / 1000
    }
    const gc = async () => {
      const { data } = await raw.get("/loyalty-bench/sql")
      return { ms: data.gc_ms ?? NaN, major_ms: data.gc_major_ms ?? NaN, heap_used_mb: data.heap_used_mb ?? NaN }
    }
    return { app, api, hooks, admin, shop, variant_id, query, sqlTrips, sqlProfile, cpuMs, gc, stop }
  } catch (e) {
    await stop().catch(() => {})
    throw e
  }
}
