import fs from "fs"
import os from "os"
import path from "path"
import { api, createAdmin, createCustomer, createProduct, createRegion, expectOk, prepareCart, query, startStore, waitFor } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

const HOUR = 60 * 60 * 1000

type Preview = { points: number; pending: boolean; member: boolean; rules: Array<{ name: string; points: number }>; tier: { current: string; after: string; points_to_next: number | null } | null }

/**
 * The earn previews on a real Medusa 1.20 store: the default program (1 point per dollar, +100 on a first order, tier
 * multipliers, silver from 1,000 lifetime points) plus a campaign doubling amount points, open from an hour before
 * the store starts for two days. A preview must equal the accrual the order then gets.
 */
describe("earn preview (GET /store/carts/:id/loyalty/preview, GET /store/products/:id/loyalty/preview)", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  const variants: Record<number, string> = {}
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-preview-"))

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const adjust = (customer_id: string, points: number, key: string) =>
    fetch(`${store.baseUrl}/admin/loyalty/accounts/${customer_id}/adjustments`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json", "idempotency-key": key },
      body: JSON.stringify({ points, reason: "preview test" }),
    })
  const accountOf = async (c: Customer) => (await sql(`SELECT tier, points_lifetime::int AS points_lifetime FROM loyalty_account WHERE customer_id = $1`, [c.id]))[0]
  const member = async () => {
    const c = await createCustomer(store)
    await waitFor(async () => (await accountOf(c))?.tier, { description: `account of ${c.id}` })
    return c
  }
  const cartOf = async (c: Customer | undefined, items: Array<{ price: number; quantity: number }>) =>
    (await prepareCart(store, { token: c, region, items: items.map((i) => ({ variant_id: variants[i.price], quantity: i.quantity })) })).cart.id as string
  const preview = async (c: Customer, cart_id: string): Promise<Preview> =>
    expectOk(await c.api.get(`/store/carts/${cart_id}/loyalty/preview`), "GET cart preview").preview
  const complete = async (c: Customer, cart_id: string) => {
    const done = expectOk(await c.api.post(`/store/carts/${cart_id}/complete`), "POST complete")
    if (done.type !== "order") throw new Error(`cart ${cart_id} completed as ${done.type}`)
    return done.data.id as string
  }
  const accrualOf = (order_id: string) =>
    waitFor(async () => (await sql(`SELECT points, rule_names FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'accrual'`, [order_id]))[0], { description: `accrual of ${order_id}` })
  const productOf = async (variant_id: string) => (await sql(`SELECT product_id FROM product_variant WHERE id = $1`, [variant_id]))[0].product_id as string
  const loyaltyRowCounts = async () => {
    const tables = await sql(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'loyalty%' ORDER BY 1`)
    const counts: Record<string, number> = {}
    for (const { tablename } of tables) counts[tablename] = Number((await sql(`SELECT count(*) AS n FROM "${tablename}"`))[0].n)
    return counts
  }

  beforeAll(async () => {
    fs.cpSync(path.resolve(__dirname, "../../rules"), dir, { recursive: true })
    const accrual = JSON.parse(fs.readFileSync(path.join(dir, "accrual.json"), "utf8"))
    accrual.rules.push({
      name: "double-days", starts_at: new Date(Date.now() - HOUR).toISOString(), ends_at: new Date(Date.now() + 48 * HOUR).toISOString(),
      conditions: { all: [] }, event: { type: "multiplier", params: { factor: 2 } },
    })
    fs.writeFileSync(path.join(dir, "accrual.json"), JSON.stringify(accrual, null, 2))
    store = await startStore({ pluginOptions: { rules_dir: dir } })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    variants[100] = await createProduct(admin, { title: "Coat", price: 10000 })
    variants[19.99] = await createProduct(admin, { title: "Shirt", price: 1999 })
  })

  afterAll(async () => {
    await store?.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("a member's cart preview equals the accrual the order then gets: a first order in a campaign that lifts them to silver, then silver orders with the tier multiplier and the campaign", async () => {
    const ann = await member()
    const orders = [
      [{ price: 100, quantity: 5 }], // 500 × 2 (campaign) + 100 (first order) = 1,100: bronze → silver
      [{ price: 19.99, quantity: 3 }, { price: 100, quantity: 1 }], // 159 × 2 × 1.25
      [{ price: 19.99, quantity: 1 }],
    ]
    for (const [i, items] of orders.entries()) {
      const cart_id = await cartOf(ann, items)
      const seen = await preview(ann, cart_id)
      if (i === 0) expect(seen).toMatchObject({ points: 1100, pending: false, member: true, tier: { current: "bronze", after: "silver", points_to_next: 3900 } })
      else expect(seen.rules.map((r) => r.name).sort()).toEqual(["base-earn", "double-days", "silver-multiplier"])
      const entry = await accrualOf(await complete(ann, cart_id))
      expect({ points: entry.points, rules: [...entry.rule_names].sort() }).toEqual({ points: seen.points, rules: seen.rules.map((r) => r.name).sort() })
      expect((await accountOf(ann)).tier).toBe(seen.tier!.after)
    }
  })

  it("the product preview gives a silver member's points per variant and, for a guest, what a new member would earn", async () => {
    const bob = await member()
    expect((await adjust(bob.id, 1000, `preview-silver-${bob.id}`)).ok).toBe(true)
    await waitFor(async () => (await accountOf(bob)).tier === "silver", { description: "silver" })
    const product_id = await productOf(variants[100])
    const url = `/store/products/${product_id}/loyalty/preview?region_id=${region.id}`
    const asBob = expectOk(await bob.api.get(url), "GET product preview").preview
    expect(asBob).toMatchObject({ product_id, region_id: region.id, currency_code: "usd", member: true })
    // Multipliers compound in the accrual's order (priority, then name): ×2 adds 100, then ×1.25 adds 50; bob has no order yet.
    expect(asBob.variants).toEqual([{ variant_id: variants[100], unit_price: 10000, points: 350, pending: false, rules: [
      { name: "base-earn", points: 100 }, { name: "double-days", points: 100 }, { name: "silver-multiplier", points: 50 }, { name: "first-order-bonus", points: 100 },
    ] }])
    const res = await fetch(`${store.baseUrl}${url}`)
    const asGuest = ((await res.json()) as any).preview
    expect([res.status, asGuest.member, asGuest.variants.map((v: any) => [v.unit_price, v.points])]).toEqual([200, false, [[10000, 300]]])
  })

  it("previews write nothing: no account is opened, no entry posted, the cart is unchanged", async () => {
    const carl = await member()
    const cart_id = await cartOf(carl, [{ price: 100, quantity: 2 }])
    const guestCart = await cartOf(undefined, [{ price: 19.99, quantity: 1 }])
    const before = await loyaltyRowCounts()
    const cartBefore = (await sql(`SELECT updated_at, customer_id FROM cart WHERE id = $1`, [cart_id]))[0]
    const product_id = await productOf(variants[19.99])
    for (let i = 0; i < 3; i++) {
      expect((await preview(carl, cart_id)).points).toBe(500) // 200 × 2 + 100
      // A guest's cart, previewed without a login (the preview is as public as GET /store/carts/:id).
      expect(expectOk(await api(store.baseUrl).get(`/store/carts/${guestCart}/loyalty/preview`), "GET guest cart preview").preview)
        .toMatchObject({ member: false, points: 19 * 2 + 100 })
      expectOk(await carl.api.get(`/store/products/${product_id}/loyalty/preview?region_id=${region.id}`), "GET product preview")
    }
    expect(await loyaltyRowCounts()).toEqual(before)
    expect((await sql(`SELECT updated_at, customer_id FROM cart WHERE id = $1`, [cart_id]))[0]).toEqual(cartBefore)
  })

  it("an unknown cart or product answers 404 NOT_FOUND; a product preview without region_id or with an unknown query key answers 400 INVALID_INPUT", async () => {
    const dan = await member()
    const product_id = await productOf(variants[100])
    for (const [url, status, code] of [
      ["/store/carts/cart_unknown/loyalty/preview", 404, "NOT_FOUND"],
      [`/store/products/prod_unknown/loyalty/preview?region_id=${region.id}`, 404, "NOT_FOUND"],
      [`/store/products/${product_id}/loyalty/preview?region_id=reg_unknown`, 404, "NOT_FOUND"],
      [`/store/products/${product_id}/loyalty/preview`, 400, "INVALID_INPUT"],
      [`/store/products/${product_id}/loyalty/preview?region_id=${region.id}&currency=usd`, 400, "INVALID_INPUT"],
      ["/store/carts/cart_unknown/loyalty/preview?x=1", 400, "INVALID_INPUT"],
    ] as const) {
      const res = await dan.api.get(url)
      expect([url, res.status, res.body?.code]).toEqual([url, status, code])
    }
  })
})
