import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import fs from "fs"
import os from "os"
import path from "path"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { createStore, waitFor } from "./store"

jest.setTimeout(600_000)

const HOUR = 60 * 60 * 1000

/**
 * This suite's rules: the package's (1 point per euro, +100 on a first order, tier multipliers, silver from 1,000
 * lifetime points) plus a campaign doubling amount points, open from an hour before the suite loads for two days
 * (the module reads LOYALTY_V2_RULES_DIR through medusa-config.ts, before the runner's `env` applies: set here).
 */
const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-preview-rules-"))
const packageRules = path.resolve(__dirname, "../../rules")
for (const name of fs.readdirSync(packageRules)) {
  if (name.endsWith(".json")) fs.copyFileSync(path.join(packageRules, name), path.join(rulesDir, name))
}
const accrual = JSON.parse(fs.readFileSync(path.join(packageRules, "accrual.json"), "utf8"))
accrual.rules.push({
  name: "double-days",
  starts_at: new Date(Date.now() - HOUR).toISOString(),
  ends_at: new Date(Date.now() + 48 * HOUR).toISOString(),
  conditions: { all: [] },
  event: { type: "multiplier", params: { factor: 2 } },
})
fs.writeFileSync(path.join(rulesDir, "accrual.json"), JSON.stringify(accrual, null, 2))
process.env.LOYALTY_V2_RULES_DIR = rulesDir

const timings: Record<string, number> = {}
async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  const start = Date.now()
  try {
    return await run()
  } finally {
    timings[name] = Date.now() - start
  }
}

type Who = { id: string; headers: Record<string, string> }
type Preview = { points: number; pending: boolean; member: boolean; rules: Array<{ name: string; points: number }>; tier: { current: string; after: string; points_to_next: number | null } | null }

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    const loyalty = () => getContainer().resolve<any>(LOYALTY_MODULE)
    const knex = () => getContainer().resolve<any>(ContainerRegistrationKeys.PG_CONNECTION)
    const fail = (e: any) => e.response ?? Promise.reject(e)
    const member = async (email: string): Promise<Who> => {
      const customer = await store.registerCustomer(email)
      await waitFor("the account", () => loyalty().findAccount(customer.id))
      return customer
    }
    const adjust = (who: Who, points: number, key: string) =>
      api.post(`/admin/loyalty/accounts/${who.id}/adjustments`, { points, reason: "preview test" }, { headers: { ...store.admin.headers, "idempotency-key": key } })

    /** A cart ready to complete (store.placeOrder's steps up to completion), as `who` (pk only: a guest). */
    const cartOf = async (who: { headers: Record<string, string> }, items: Array<{ price: number; quantity: number }>) => {
      const h = { headers: who.headers }
      const { data: { cart } } = await api.post("/store/carts", { region_id: store.region.id, sales_channel_id: store.sc, email: "shopper@preview.test" }, h)
      for (const item of items) await api.post(`/store/carts/${cart.id}/line-items`, { variant_id: await store.variantAt(item.price), quantity: item.quantity }, h)
      await api.post(`/store/carts/${cart.id}`, { shipping_address: { first_name: "F", last_name: "L", address_1: "1 St", city: "Berlin", postal_code: "10115", country_code: "de" } }, h)
      const { data: { shipping_options } } = await api.get(`/store/shipping-options?cart_id=${cart.id}`, h)
      await api.post(`/store/carts/${cart.id}/shipping-methods`, { option_id: shipping_options[0].id }, h)
      return cart.id as string
    }
    const complete = async (who: Who, cart_id: string) => {
      const h = { headers: who.headers }
      const { data: { payment_collection } } = await api.post("/store/payment-collections", { cart_id }, h)
      await api.post(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: "pp_system_default" }, h)
      const { data } = await api.post(`/store/carts/${cart_id}/complete`, {}, h)
      if (data.type !== "order") throw new Error(`cart completion failed: ${JSON.stringify(data)}`)
      return data.order.id as string
    }
    const preview = async (who: { headers: Record<string, string> }, cart_id: string): Promise<Preview> =>
      (await api.get(`/store/carts/${cart_id}/loyalty/preview`, { headers: who.headers })).data.preview
    const productOf = async (variant_id: string) =>
      (await getContainer().resolve<any>(ContainerRegistrationKeys.QUERY).graph({ entity: "variant", fields: ["product_id"], filters: { id: variant_id } })).data[0].product_id as string
    const accrualOf = (order_id: string) => waitFor(`the accrual of ${order_id}`, () => loyalty().findEntryByKey(`order:${order_id}:accrual`))
    const loyaltyRowCounts = async () => {
      const tables = (await knex().raw(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'loyalty%' ORDER BY 1`)).rows
      const counts: Record<string, number> = {}
      for (const { tablename } of tables) counts[tablename] = Number((await knex().raw(`SELECT count(*) AS n FROM "${tablename}"`)).rows[0].n)
      return counts
    }

    beforeAll(async () => {
      store = await timed("store setup", () => createStore(api, getContainer(), [100, 19.99]))
    })

    afterAll(() => {
      fs.rmSync(rulesDir, { recursive: true, force: true })
      // eslint-disable-next-line no-console
      console.log(`v2 earn-preview timings (ms): ${JSON.stringify(timings)}`)
    })

    it("a member's cart preview equals the accrual the order then gets: a first order in a campaign that lifts them to silver, then silver orders with the tier multiplier and the campaign", async () => {
      const ann = await member("ann@preview.test")
      const orders: Array<Array<{ price: number; quantity: number }>> = [
        [{ price: 100, quantity: 5 }], // 500 × 2 (campaign) + 100 (first order) = 1,100: bronze → silver
        [{ price: 19.99, quantity: 3 }, { price: 100, quantity: 1 }], // 159 × 1.25 × 2
        [{ price: 19.99, quantity: 1 }],
      ]
      const expectedFirst = { points: 1100, pending: false, member: true, tier: { current: "bronze", after: "silver", points_to_next: 5000 - 1100 } }
      for (const [i, items] of orders.entries()) {
        const cart_id = await cartOf(ann, items)
        const seen = await timed(`preview ${i + 1}`, () => preview(ann, cart_id))
        if (i === 0) expect(seen).toMatchObject(expectedFirst)
        else expect(seen.rules.map((r) => r.name).sort()).toEqual(["base-earn", "double-days", "silver-multiplier"])
        const entry = await accrualOf(await complete(ann, cart_id))
        expect({ points: entry.points, rules: [...entry.rule_names].sort() }).toEqual({ points: seen.points, rules: seen.rules.map((r) => r.name).sort() })
        expect((await loyalty().findAccount(ann.id)).tier).toBe(seen.tier!.after)
      }
    })

    it("the product preview gives a silver member's points per variant and, for a guest, what a new member would earn", async () => {
      const bob = await member("bob@preview.test")
      await adjust(bob, 1000, "preview-silver")
      await waitFor("silver", async () => (await loyalty().findAccount(bob.id)).tier === "silver")
      const product_id = await productOf(await store.variantAt(100))
      const url = `/store/products/${product_id}/loyalty/preview?region_id=${store.region.id}`
      const asBob = (await timed("product preview (member)", () => api.get(url, { headers: bob.headers }))).data.preview
      // bob has no order yet: 100 × 1.25 × 2 + the first-order bonus.
      expect(asBob).toMatchObject({ product_id, region_id: store.region.id, currency_code: "eur", member: true })
      // Multipliers compound in the accrual's order (priority, then name): ×2 adds 100, then ×1.25 adds 50.
      expect(asBob.variants).toEqual([{ variant_id: await store.variantAt(100), unit_price: 10000, points: 350, pending: false, rules: [
        { name: "base-earn", points: 100 }, { name: "double-days", points: 100 }, { name: "silver-multiplier", points: 50 }, { name: "first-order-bonus", points: 100 },
      ] }])
      const asGuest = (await timed("product preview (guest)", () => api.get(url, { headers: store.pk }))).data.preview
      expect(asGuest.member).toBe(false)
      expect(asGuest.variants.map((v: any) => [v.unit_price, v.points])).toEqual([[10000, 300]]) // 100 × 2 + 100
    })

    it("previews write nothing: no account is opened, no entry posted, the cart is unchanged", async () => {
      const carl = await member("carl@preview.test")
      const cart_id = await cartOf(carl, [{ price: 100, quantity: 2 }])
      const guestCart = await cartOf({ headers: store.pk }, [{ price: 19.99, quantity: 1 }])
      const before = await loyaltyRowCounts()
      const cartBefore = (await knex().raw(`SELECT updated_at FROM cart WHERE id = ?`, [cart_id])).rows[0]
      const product_id = await productOf(await store.variantAt(19.99))
      for (let i = 0; i < 3; i++) {
        expect((await preview(carl, cart_id)).points).toBe(500) // 200 × 2 + 100
        // A guest's cart, previewed without a login (the preview is as public as GET /store/carts/:id).
        expect(await preview({ headers: store.pk }, guestCart)).toMatchObject({ member: false, points: 19 * 2 + 100 })
        await api.get(`/store/products/${product_id}/loyalty/preview?region_id=${store.region.id}`, { headers: carl.headers })
      }
      expect(await loyaltyRowCounts()).toEqual(before)
      expect((await knex().raw(`SELECT updated_at FROM cart WHERE id = ?`, [cart_id])).rows[0]).toEqual(cartBefore)
      expect(await loyalty().findEntryByKey(`order:${cart_id}:accrual`)).toBeFalsy()
    })

    it("an unknown cart or product answers 404 NOT_FOUND; a product preview without region_id or with an unknown query key answers 400 INVALID_INPUT", async () => {
      const dan = await member("dan@preview.test")
      const product_id = await productOf(await store.variantAt(100))
      const get = (url: string) => api.get(url, { headers: dan.headers }).catch(fail)
      for (const [url, status, code] of [
        ["/store/carts/cart_unknown/loyalty/preview", 404, "NOT_FOUND"],
        [`/store/products/prod_unknown/loyalty/preview?region_id=${store.region.id}`, 404, "NOT_FOUND"],
        [`/store/products/${product_id}/loyalty/preview?region_id=reg_unknown`, 404, "NOT_FOUND"],
        [`/store/products/${product_id}/loyalty/preview`, 400, "INVALID_INPUT"],
        [`/store/products/${product_id}/loyalty/preview?region_id=${store.region.id}&currency=eur`, 400, "INVALID_INPUT"],
        [`/store/carts/cart_unknown/loyalty/preview?x=1`, 400, "INVALID_INPUT"],
      ] as const) {
        const res = await get(url)
        expect([url, res.status, res.data.code]).toEqual([url, status, code])
      }
    })
  },
})
