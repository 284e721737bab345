// Two Medusa 1.20 stores side by side, one WITH the plugin and one WITHOUT it (the v1 sections that compare the
// plugin against Medusa alone: load, checkout). Each runs in its own child process (scripts/lib/store-process.js:
// Medusa 1.20 is one store per process, and the bench's HTTP clients must not share the server's event loop) on its
// own throwaway database; the baseline's config simply has no plugin. Each gets an admin, a USD region, a $25
// product and its members over HTTP, as a storefront and an admin would.

export const PLUGIN = "plugin"
export const BASE = "medusa without the plugin"

/**
 * @typedef {object} V1Store
 * @property {string} label PLUGIN or BASE
 * @property {boolean} withoutPlugin
 * @property {any} proc the child process's store (baseUrl, databaseUrl, timings, stop)
 * @property {{ id: string }} region
 * @property {string} variant_id the $25 product's variant
 * @property {any[]} members registered customers (createCustomer's: token, api)
 */

/**
 * Boots the store with the plugin, then the one without (or the other way round), each set up with `members`
 * customers; stops what it booted if one fails. The caller stops them with stopV1Stores (the shared in-process store should be stopped first:
 * ctx.alone()).
 * @param {import("./context.mjs").BenchContext} ctx
 * @param {{ prefix: string, members: number, baseFirst?: boolean }} opts `prefix`: the throwaway databases' name
 *   prefix; `baseFirst`: boot the store without the plugin first (the returned order stays plugin, base)
 * @returns {Promise<V1Store[]>}
 */
export async function startV1Stores(ctx, { prefix, members, baseFirst = false }) {
  const { startStoreProcess } = ctx.require("../scripts/lib/store-process.js")
  const commerce = ctx.require("../scripts/lib/commerce.js")
  /** @type {V1Store[]} */
  const stores = []
  try {
    const order = [[PLUGIN, false], [BASE, true]]
    for (const [label, withoutPlugin] of baseFirst ? order.reverse() : order) {
      const adminUser = { email: `bench-${prefix}-${Date.now()}@example.com`, password: "bench-v1-secret" }
      ctx.log(`  booting a store in a child process: ${label}`)
      let output = ""
      const proc = await startStoreProcess(
        { databaseUrl: ctx.baseDbUrl, dbPrefix: prefix, withoutPlugin, adminUser },
        { onOutput: (chunk) => (output = (output + chunk).slice(-8000)) }
      ).catch((e) => {
        throw new Error(`${label} store did not boot: ${e.message}\n${output}`)
      })
      stores.push({ label, withoutPlugin, proc, ...(await setUp(commerce, proc, adminUser, members)) })
      ctx.log(`  ${label}: up on ${proc.baseUrl} (boot ${proc.timings.boot} ms), ${members} members registered`)
    }
    return stores.sort((a, b) => Number(a.withoutPlugin) - Number(b.withoutPlugin)) // the plugin's first, whichever booted first
  } catch (e) {
    await stopV1Stores(ctx, stores)
    throw e
  }
}

/** @param {import("./context.mjs").BenchContext} ctx @param {V1Store[]} stores */
export async function stopV1Stores(ctx, stores) {
  await Promise.all(stores.map((s) => s.proc.stop().catch((e) => ctx.log(`  stopping ${s.label}: ${e.message}`))))
}

/** An admin (the user the child created), a USD region, a $25 product and the members, over HTTP. */
async function setUp(commerce, store, adminUser, count) {
  const { api, expectOk, createRegion, createProduct, createCustomer } = commerce
  const { access_token } = expectOk(await api(store.baseUrl).post("/admin/auth/token", adminUser), "POST /admin/auth/token")
  const admin = { baseUrl: store.baseUrl, token: access_token, ...adminUser, api: api(store.baseUrl, access_token) }
  const region = await createRegion(admin, { name: "Bench USD", currency_code: "usd", countries: ["us"] })
  const variant_id = await createProduct(admin, { title: "Bench coffee 1 kg", price: 2500 })
  const members = []
  for (let i = 0; i < count; i += 10) {
    members.push(...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, () => createCustomer(store)))))
  }
  return { region, variant_id, members }
}
