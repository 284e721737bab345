import fs from "fs"
import os from "os"
import path from "path"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { createStore, waitFor } from "./store"

jest.setTimeout(600_000)

/**
 * Paying with points in the cart on a real 2.21 app (docs/pay-with-points.md). This suite's program lets points pay
 * at most half of a cart's goods (max_cart_share_bps 5000); the rest is the package's rules. The module reads
 * LOYALTY_V2_RULES_DIR through medusa-config.ts, loaded before the runner's `env`, hence set here.
 */
const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-cart-points-rules-"))
const packageRules = path.resolve(__dirname, "../../rules")
for (const name of fs.readdirSync(packageRules)) {
  if (name.endsWith(".json")) fs.copyFileSync(path.join(packageRules, name), path.join(rulesDir, name))
}
const program = JSON.parse(fs.readFileSync(path.join(packageRules, "program.json"), "utf8"))
fs.writeFileSync(path.join(rulesDir, "program.json"), JSON.stringify({ ...program, redemption: { ...program.redemption, max_cart_share_bps: 5000 } }, null, 2))
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

type Who = { id?: string; headers: Record<string, string> }
const ADDRESS = { first_name: "F", last_name: "L", address_1: "1 St", city: "Berlin", postal_code: "10115" }

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    const loyalty = () => getContainer().resolve<any>(LOYALTY_MODULE)
    const fail = (e: any) => e.response ?? Promise.reject(e)

    beforeAll(async () => {
      store = await timed("store setup", () => createStore(api, getContainer(), [100]))
    })

    afterAll(() => {
      // eslint-disable-next-line no-console
      console.log(`v2 cart points timings (ms): ${JSON.stringify(timings)}`)
    })

    async function member(email: string, points: number) {
      const customer = await store.registerCustomer(email)
      await waitFor("the account", () => loyalty().findAccount(customer.id))
      const h = { headers: { ...store.admin.headers, "idempotency-key": `seed-${customer.id}` } }
      await api.post(`/admin/loyalty/accounts/${customer.id}/adjustments`, { points, reason: "seed" }, h)
      return customer
    }

    /** A cart of `quantity` × 100.00 EUR with shipping (10.00) in the store's region (no tax), or in `region`. */
    async function cart(who: Who, quantity = 1, region?: { id: string; country: string; variant: string }) {
      const h = { headers: who.headers }
      const { data } = await api.post("/store/carts", { region_id: region?.id ?? store.region.id, sales_channel_id: store.sc }, h)
      const id = data.cart.id as string
      await api.post(`/store/carts/${id}`, { shipping_address: { ...ADDRESS, country_code: region?.country ?? "de" } }, h)
      await api.post(`/store/carts/${id}/line-items`, { variant_id: region?.variant ?? (await store.variantAt(100)), quantity }, h)
      if (!region) {
        const { data: { shipping_options } } = await api.get(`/store/shipping-options?cart_id=${id}`, h)
        await api.post(`/store/carts/${id}/shipping-methods`, { option_id: shipping_options[0].id }, h)
      }
      return id
    }

    async function pay(who: Who, cart_id: string) {
      const h = { headers: who.headers }
      const { data: { payment_collection } } = await api.post("/store/payment-collections", { cart_id }, h)
      await api.post(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: "pp_system_default" }, h)
    }

    const applyPoints = (who: Who, cart_id: string, points: number) => api.post(`/store/carts/${cart_id}/loyalty/points`, { points }, { headers: who.headers })
    const complete = async (who: Who, cart_id: string) => (await api.post(`/store/carts/${cart_id}/complete`, {}, { headers: who.headers })).data
    const totals = async (who: Who, cart_id: string) => {
      const { data: { cart: c } } = await api.get(`/store/carts/${cart_id}`, { headers: who.headers })
      return { total: Number(c.total), credit_line_total: Number(c.credit_line_total), tax_total: Number(c.tax_total), discount_total: Number(c.discount_total) }
    }
    const cartEntries = async (cart_id: string) =>
      (await loyalty().listLoyaltyLedgerEntries({ source_id: cart_id }, { order: { seq: "ASC" } })).map((e: any) => [e.idempotency_key, e.kind, e.points])
    const balance = async (customer_id: string) => (await loyalty().findAccount(customer_id)).points_balance

    it("applies points to the member's cart so its total shows the reduction at once, keeps exactly the applied points through a change of the cart, and debits them once when the order is placed", async () => {
      const ann = await member("ann@cart-points.test", 2000)
      const id = await cart(ann)
      const { data } = await timed("apply", () => applyPoints(ann, id, 1000))
      expect(data.cart_points).toEqual({
        cart_id: id, points: 1000, amount_minor: 1000, currency_code: "eur", max_points: 5000,
        totals: { subtotal: 11_000, discount_total: 0, shipping_total: 1000, tax_total: 0, total: 10_000 },
      })
      expect(await totals(ann, id)).toMatchObject({ credit_line_total: 10, total: 100 }) // 100 + 10 shipping − 10
      expect(await balance(ann.id)).toBe(2000) // applied, not debited

      await api.post(`/store/carts/${id}/line-items`, { variant_id: await store.variantAt(100), quantity: 1 }, { headers: ann.headers })
      expect(await totals(ann, id)).toMatchObject({ credit_line_total: 10, total: 200 })
      const { data: { preview } } = await api.get(`/store/carts/${id}/loyalty/preview`, { headers: ann.headers })
      await pay(ann, id)
      const done = await timed("complete with points", () => complete(ann, id))
      expect(done.type).toBe("order")
      expect(Number(done.order.total)).toBe(200)
      expect(await cartEntries(id)).toEqual([[`cart-points:${id}`, "redemption", -1000]])
      // A retried completion of the placed cart answers its order and debits nothing more.
      expect((await complete(ann, id)).order.id).toBe(done.order.id)
      expect(await cartEntries(id)).toEqual([[`cart-points:${id}`, "redemption", -1000]])
      // The goods paid with points earn nothing, as on v1: the base earn counts 200.00 of goods less the 10.00 paid.
      const accrual = await waitFor("the order's accrual", async () =>
        loyalty().findEntryByKey(`order:${done.order.id}:accrual`))
      const { data: explained } = await api.get(`/admin/loyalty/entries/${accrual.id}/explain`, store.admin)
      expect(explained.rules_fired.find((r: { name: string }) => r.name === "base-earn")).toMatchObject({ contribution: 190 })
      expect(accrual.points).toBe(preview.points) // the cart's earn preview, taken with the points on it
    })

    it("lets only one of two carts carrying the same points complete at the same moment: the other is refused with 400 INSUFFICIENT_POINTS, the balance never goes below zero, and it completes without the points", async () => {
      const bo = await member("bo@cart-points.test", 1000)
      const ids = [await cart(bo), await cart(bo)]
      for (const id of ids) {
        await applyPoints(bo, id, 1000)
        await pay(bo, id)
      }
      const results = await timed("2 concurrent completions", () => Promise.allSettled(ids.map((id) => complete(bo, id))))
      const placed = results.filter((r) => r.status === "fulfilled" && (r as PromiseFulfilledResult<any>).value.type === "order")
      const refused = results.filter((r) => r.status === "rejected").map((r: any) => [r.reason.response?.status, r.reason.response?.data?.code])
      expect(placed).toHaveLength(1)
      expect(refused).toEqual([[400, "INSUFFICIENT_POINTS"]])
      const loser = ids[results.findIndex((r) => r.status === "rejected")]
      expect((results.find((r) => r.status === "rejected") as any).reason.response.data.message).toMatch(/without them/)
      expect(await cartEntries(loser)).toEqual([])
      const entries = await loyalty().listLoyaltyLedgerEntries({ customer_id: bo.id })
      expect(entries.every((e: any) => e.balance_after >= 0)).toBe(true)
      expect(entries.filter((e: any) => e.kind === "redemption").map((e: any) => e.points)).toEqual([-1000])

      await api.delete(`/store/carts/${loser}/loyalty/points`, { headers: bo.headers })
      await pay(bo, loser)
      expect((await complete(bo, loser)).type).toBe("order")
    })

    it("gives the points back when the completion fails after debiting them, and debits them once more when the cart is completed again", async () => {
      const jo = await member("jo@cart-points.test", 1000)
      const admin = store.admin
      const { data: { shipping_options: [standard] } } = await api.get("/admin/shipping-options?fields=id,service_zone_id,shipping_profile_id", admin)
      const { data: { shipping_option: doomed } } = await api.post("/admin/shipping-options", {
        name: "Withdrawn", service_zone_id: standard.service_zone_id, shipping_profile_id: standard.shipping_profile_id, provider_id: "manual_manual",
        price_type: "flat", type: { label: "Withdrawn", description: "w", code: "withdrawn" }, prices: [{ currency_code: "eur", amount: 10 }],
        rules: [{ attribute: "enabled_in_store", value: "true", operator: "eq" }, { attribute: "is_return", value: "false", operator: "eq" }],
      }, admin)
      const h = { headers: jo.headers }
      const { data } = await api.post("/store/carts", { region_id: store.region.id, sales_channel_id: store.sc }, h)
      const id = data.cart.id as string
      await api.post(`/store/carts/${id}`, { shipping_address: { ...ADDRESS, country_code: "de" } }, h)
      await api.post(`/store/carts/${id}/line-items`, { variant_id: await store.variantAt(100), quantity: 1 }, h)
      await api.post(`/store/carts/${id}/shipping-methods`, { option_id: doomed.id }, h)
      await applyPoints(jo, id, 1000)
      await pay(jo, id)
      // The option goes away after the validate hook debited: Medusa's shipping check fails the completion.
      await api.delete(`/admin/shipping-options/${doomed.id}`, admin)
      const failed = await complete(jo, id).catch(fail)
      expect(failed.status).toBeGreaterThanOrEqual(400)
      expect(await cartEntries(id)).toEqual([[`cart-points:${id}`, "redemption", -1000], [`cart-points:${id}:released`, "redemption_void", 1000]])
      expect(await balance(jo.id)).toBe(1000)

      await api.post(`/store/carts/${id}/shipping-methods`, { option_id: standard.id }, h)
      const { data: { cart } } = await api.get(`/store/carts/${id}?fields=payment_collection.id`, h)
      await api.post(`/store/payment-collections/${cart.payment_collection.id}/payment-sessions`, { provider_id: "pp_system_default" }, h)
      expect((await complete(jo, id)).type).toBe("order")
      expect(await cartEntries(id)).toEqual([
        [`cart-points:${id}`, "redemption", -1000],
        [`cart-points:${id}:released`, "redemption_void", 1000],
        [`cart-points:${id}:1`, "redemption", -1000],
      ])
    })

    it("leaves the balance untouched for a cart abandoned with points on it, and taking the points off restores the cart's total", async () => {
      const cy = await member("cy@cart-points.test", 700)
      const id = await cart(cy)
      await applyPoints(cy, id, 700)
      expect(await totals(cy, id)).toMatchObject({ credit_line_total: 7, total: 103 })
      const { data } = await api.delete(`/store/carts/${id}/loyalty/points`, { headers: cy.headers })
      expect(data.cart_points).toMatchObject({ points: 0, amount_minor: 0, totals: { total: 11_000 } })
      await applyPoints(cy, id, 700)
      expect(await balance(cy.id)).toBe(700)
      expect(await cartEntries(id)).toEqual([])
    })

    it("gives the points an order was paid with back when the order is canceled", async () => {
      const di = await member("di@cart-points.test", 1500)
      const id = await cart(di)
      await applyPoints(di, id, 1500)
      await pay(di, id)
      const { order } = await complete(di, id)
      await api.post(`/admin/orders/${order.id}/cancel`, {}, store.admin)
      await timed("cancel give-back", () =>
        waitFor("the give-back", async () => (await cartEntries(id)).some(([key]: [string]) => key === `cart-points:${id}:cancel`))
      )
      expect(await cartEntries(id)).toEqual([
        [`cart-points:${id}`, "redemption", -1500],
        [`cart-points:${id}:cancel`, "redemption_void", 1500],
      ])
    })

    it("gives back a refund's share of the points as the money paid is refunded, and never more than the order was paid with once the order is canceled too", async () => {
      const ed = await member("ed@cart-points.test", 1000)
      const id = await cart(ed)
      await applyPoints(ed, id, 1000) // 10.00 of 110.00: 100.00 paid in money
      await pay(ed, id)
      const { order } = await complete(ed, id)
      const payment = await store.paymentOf(order.id)
      await api.post(`/admin/payments/${payment}/capture`, {}, store.admin)
      await api.post(`/admin/payments/${payment}/refund`, { amount: 50 }, store.admin)
      const given = async () => (await cartEntries(id)).filter(([, kind]: [string, string]) => kind === "redemption_void")
      await timed("refund give-back", () => waitFor("the refund's give-back", async () => (await given()).length === 1))
      expect(await given()).toEqual([[expect.stringMatching(new RegExp(`^cart-points:${id}:refund:`)), "redemption_void", 500]])
      // The cancel refunds the other 50.00: between its give-back and that refund's, exactly the other 500 points come back.
      await api.post(`/admin/orders/${order.id}/cancel`, {}, store.admin)
      await waitFor("the rest given back", async () => (await given()).reduce((sum: number, e: [string, string, number]) => sum + e[2], 0) >= 1000)
      expect((await given()).reduce((sum: number, e: [string, string, number]) => sum + e[2], 0)).toBe(1000)
    })

    it("refuses points to a guest (401) and to a member for another customer's cart (404)", async () => {
      const guest = { headers: store.pk }
      const id = await cart(guest)
      const asGuest = await applyPoints(guest, id, 500).catch(fail)
      expect(asGuest.status).toBe(401)
      const eve = await member("eve@cart-points.test", 1000)
      const notHers = await applyPoints(eve, id, 500).catch(fail)
      expect([notHers.status, notHers.data.code]).toEqual([404, "NOT_FOUND"])
      expect(await totals(guest, id)).toMatchObject({ credit_line_total: 0, total: 110 })
    })

    it("refuses points below min_points, off step_points or worth more than max_cart_share_bps of the goods with 400 INVALID_INPUT naming points, and more than the balance with INSUFFICIENT_POINTS", async () => {
      const fay = await member("fay@cart-points.test", 20_000)
      const id = await cart(fay)
      const refusal = async (points: number) => {
        const r = await applyPoints(fay, id, points).catch(fail)
        return [r.status, r.data.code, r.data.message]
      }
      expect(await refusal(400)).toEqual([400, "INVALID_INPUT", expect.stringMatching(/points must be at least 500/)])
      expect(await refusal(550)).toEqual([400, "INVALID_INPUT", expect.stringMatching(/points must be a multiple of 100/)])
      // Goods 100.00, half of them at most: 5000 points (50.00); shipping is never paid with points.
      expect(await refusal(5100)).toEqual([400, "INVALID_INPUT", expect.stringMatching(/points may pay at most 50% of the cart's goods .*apply at most 5000 points/)])
      expect((await applyPoints(fay, id, 5000)).data.cart_points).toMatchObject({ points: 5000, amount_minor: 5000, max_points: 5000, totals: { total: 6000 } })
      const poor = await member("gil@cart-points.test", 600)
      const other = await cart(poor)
      const r = await applyPoints(poor, other, 700).catch(fail)
      expect([r.status, r.data.code]).toEqual([400, "INSUFFICIENT_POINTS"])
      expect(await totals(poor, other)).toMatchObject({ credit_line_total: 0 })
    })

    it("measures a credit line against a promotion adjustment on a tax-exclusive and a tax-inclusive region: the credit line leaves the tax as it is, the adjustment lowers it", async () => {
      const admin = store.admin
      const regions: Record<string, { id: string; country: string; variant: string }> = {}
      for (const [name, country, inclusive] of [["exclusive", "fr", false], ["inclusive", "it", true]] as const) {
        const { data: { region } } = await api.post("/admin/regions", { name, currency_code: "eur", countries: [country], payment_providers: ["pp_system_default"], automatic_taxes: true, is_tax_inclusive: inclusive }, admin)
        await api.post("/admin/tax-regions", { country_code: country, provider_id: "tp_system", default_tax_rate: { rate: 20, code: `${country}20`, name: "20%" } }, admin)
        regions[name] = { id: region.id, country, variant: "" }
      }
      // A price of the region (a currency's price follows the currency's preference, not the region's).
      const { data: { shipping_profiles } } = await api.get("/admin/shipping-profiles", admin)
      const { data: { product } } = await api.post("/admin/products", {
        title: "Taxed", status: "published", shipping_profile_id: shipping_profiles[0].id, options: [{ title: "Size", values: ["M"] }],
        variants: [{
          title: "M", options: { Size: "M" }, manage_inventory: false,
          prices: [{ currency_code: "eur", amount: 100 }, ...Object.values(regions).map((r) => ({ currency_code: "eur", amount: 100, rules: { region_id: r.id } }))],
        }],
        sales_channels: [{ id: store.sc }],
      }, admin)
      for (const r of Object.values(regions)) r.variant = product.variants[0].id
      for (const [code, inclusive] of [["POINTS10EX", false], ["POINTS10IN", true]] as const) {
        await api.post("/admin/promotions", {
          code, type: "standard", status: "active", is_automatic: false, is_tax_inclusive: inclusive,
          application_method: { type: "fixed", target_type: "order", allocation: "across", value: 10, currency_code: "eur" },
        }, admin)
      }
      const hal = await member("hal@cart-points.test", 5000)
      const measured: Record<string, unknown> = {}
      for (const name of ["exclusive", "inclusive"]) {
        const region = regions[name]
        const plain = await cart(hal, 1, region)
        const withCredit = await cart(hal, 1, region)
        await applyPoints(hal, withCredit, 1000)
        const withAdjustment = await cart(hal, 1, region)
        await api.post(`/store/carts/${withAdjustment}/promotions`, { promo_codes: [name === "exclusive" ? "POINTS10EX" : "POINTS10IN"] }, { headers: hal.headers })
        measured[name] = { none: await totals(hal, plain), credit_line: await totals(hal, withCredit), adjustment: await totals(hal, withAdjustment) }
      }
      // eslint-disable-next-line no-console
      console.log(`cart points tax measurement (one 100.00 item, 20% tax, 10.00 of points): ${JSON.stringify(measured)}`)
      expect(measured).toEqual({
        exclusive: {
          none: { total: 120, tax_total: 20, credit_line_total: 0, discount_total: 0 },
          credit_line: { total: 110, tax_total: 20, credit_line_total: 10, discount_total: 0 },
          adjustment: expect.objectContaining({ total: 108, tax_total: 18, credit_line_total: 0 }),
        },
        inclusive: {
          none: expect.objectContaining({ total: 100, credit_line_total: 0 }),
          credit_line: expect.objectContaining({ total: 90, credit_line_total: 10 }),
          adjustment: expect.objectContaining({ total: 90, credit_line_total: 0 }),
        },
      })
      const inclusive = measured.inclusive as Record<string, { tax_total: number }>
      expect(inclusive.credit_line.tax_total).toBe(inclusive.none.tax_total)
      expect(inclusive.adjustment.tax_total).toBeLessThan(inclusive.none.tax_total)
    })
  },
})
