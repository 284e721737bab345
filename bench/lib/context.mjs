// What a section receives: options, progress logging, and the stores it measures. Medusa keeps process-wide
// singletons, so at most one store runs at a time: the shared store (booted on first use, reused by the sections
// that share it) or a section's own store (the shared one is stopped first).
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)
/** Rooted at bench/: sections write ctx.require("../dist/…") and ctx.require("../scripts/lib/…"). */
const benchRequire = createRequire(new URL("../", import.meta.url))
const { startStore } = require("../../scripts/lib/store.js")
const { createAdmin, createRegion, createProduct } = require("../../scripts/lib/commerce.js")
// The v2 store (a Medusa 2.21 app in a child process) is loaded lazily: bench/lib/v2.mjs needs v2/ installed.

/**
 * @typedef {object} BenchContext
 * @property {boolean} quick smaller sizes
 * @property {string} baseDbUrl admin URL of the PostgreSQL server (throwaway databases are created next to it)
 * @property {(msg: string) => void} log progress line on stderr
 * @property {(text: string) => void} note a finding printed under the table and kept in the JSON
 * @property {() => Promise<any>} store the shared store (a Store of scripts/lib/store.js)
 * @property {() => Promise<{ admin: any, region: any, variant_id: string }>} fixtures admin, USD region, a $25 product on the shared store
 * @property {(prefix: string) => Promise<{ store: any, stop: () => Promise<void> }>} ownStore a store on its own
 *   throwaway database (dropped by `stop`)
 * @property {NodeJS.Require} require CommonJS require rooted at bench/ (for dist/ and scripts/lib)
 * @property {() => Promise<import("./v2.mjs").V2Store>} v2 the v2 store: a Medusa 2.21 app with the packed v2 plugin
 *   in a child process, booted on first use and shared by the v2 sections (stops the shared v1 store first: its
 *   enqueuer would compete for the CPU); check `v2Installed()` of lib/v2.mjs before calling
 * @property {() => Promise<import("./v2.mjs").V2Store>} v2Baseline the same v2 host app WITHOUT the plugin in its config
 *   (its own database and child process), booted on first use next to ctx.v2() and shared by the sections that
 *   compare a store with the plugin and one without (v2_checkout, v2_load)
 * @property {() => Promise<void>} alone stops the shared store and the v2 apps: a section that boots its own
 *   processes (load) measures them without another store's background work
 */

/**
 * @param {{ quick: boolean, baseDbUrl: string, log: (msg: string) => void }} opts
 * @returns {BenchContext & { section: string, notes: { section: string, text: string }[], close: () => Promise<void> }}
 */
export function createContext({ quick, baseDbUrl, log }) {
  /** @type {any} */ let shared = null
  /** @type {Promise<any> | null} */ let fixtures = null
  /** @type {any} */ let own = null
  /** @type {Promise<import("./v2.mjs").V2Store> | null} */ let v2 = null
  /** @type {Promise<import("./v2.mjs").V2Store> | null} */ let v2Bare = null

  const boot = async (prefix) => {
    log(`booting a Medusa store (${prefix})`)
    const store = await startStore({
      databaseUrl: baseDbUrl,
      pluginOptions: {},
      dbPrefix: prefix,
      onStep: (step, ms) => log(`  ${step}: ${ms} ms`),
    })
    log(`  store up on ${store.baseUrl}, database ${store.databaseName}`)
    return store
  }
  // @medusajs/event-bus-local keeps one EventEmitter per process: a stopped store's subscribers would stay on it
  // and fire (and fail: "Driver not Connected") on the next store's events.
  const detachSubscribers = (store) => {
    try {
      store.container.resolve("eventBusModuleService").eventEmitter_?.removeAllListeners()
    } catch {
      // the Redis bus (or another bus) keeps no process-wide emitter
    }
  }
  const stopStore = async (store) => {
    await store.stop()
    detachSubscribers(store)
  }
  const stopV2 = async () => {
    if (v2Bare) {
      const pending = v2Bare
      v2Bare = null
      const s = await pending.catch(() => null)
      if (s) {
        log("stopping the v2 app without the plugin (dropping its database)")
        await s.stop()
      }
    }
    if (!v2) return
    const pending = v2
    v2 = null
    const s = await pending.catch(() => null)
    if (!s) return
    log("stopping the v2 app (dropping its database)")
    await s.stop()
  }
  const stopShared = async () => {
    if (!shared) return
    const s = shared
    shared = null
    fixtures = null
    log("stopping the shared store (dropping its database)")
    await stopStore(s)
  }

  const ctx = {
    quick,
    baseDbUrl,
    log,
    section: "",
    notes: [],
    require: benchRequire,
    note(text) {
      ctx.notes.push({ section: ctx.section, text })
      log(`note: ${text}`)
    },
    async store() {
      if (own) throw new Error("a section's own store is running: stop it before using the shared store")
      await stopV2()
      if (!shared) shared = await boot("loyalty_bench")
      return shared
    },
    async fixtures() {
      const store = await ctx.store()
      fixtures ??= (async () => {
        const admin = await createAdmin(store)
        const region = await createRegion(admin, { name: "Bench USD", currency_code: "usd", countries: ["us"] })
        const variant_id = await createProduct(admin, { title: "Bench coffee 1 kg", price: 2500 })
        return { admin, region, variant_id }
      })()
      return await fixtures
    },
    async ownStore(prefix) {
      await stopShared()
      await stopV2()
      if (own) throw new Error("only one section store at a time")
      own = await boot(prefix)
      const store = own
      return {
        store,
        stop: async () => {
          if (own !== store) return
          own = null
          log(`stopping ${prefix} (dropping its database)`)
          await stopStore(store)
        },
      }
    },
    async v2() {
      if (own) throw new Error("a section's own store is running: stop it before starting the v2 app")
      await stopShared()
      v2 ??= import("./v2.mjs").then(({ startV2 }) => {
        log("booting the v2 app (Medusa 2.21 + the packed v2 plugin)")
        return startV2({ baseDbUrl, log })
      })
      v2.catch(() => {}) // a failed boot fails the other v2 sections at once (same error), not after a second boot
      return await v2
    },
    async v2Baseline() {
      await ctx.v2() // first: a first run installs and migrates the host app once, for both
      v2Bare ??= import("./v2.mjs").then(({ startV2 }) => {
        log("booting the v2 app without the plugin (the baseline store)")
        return startV2({ baseDbUrl, log, withoutPlugin: true })
      })
      v2Bare.catch(() => {})
      return await v2Bare
    },
    async alone() {
      await stopV2()
      await stopShared()
    },
    async close() {
      await stopV2()
      await stopShared()
      if (own) {
        const s = own
        own = null
        await stopStore(s)
      }
    },
  }
  return ctx
}
