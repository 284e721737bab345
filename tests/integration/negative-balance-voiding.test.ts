import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, query, redeemPoints, startStore, waitFor } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

const WAIT = { timeoutMs: 120_000 }

/**
 * Default program (negative_balance "allow"): a cancel or refund clawback may take a balance below zero. When it
 * does, the member's unused redemption codes are voided, newest first, each giving its points back, until the
 * balance is no longer negative or none is left; codes an order used stay. Points from real orders: a first order
 * of 1,900.00 (+10.00 shipping, total 1,910.00) earns 2,000, of 500.00 earns 600.
 */
describe("unused codes voided when a clawback leaves the balance negative", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  let shirt: string // 123.45
  let tv: string // 500.00
  let sofa: string // 1,900.00

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    shirt = await createProduct(admin, { title: "Shirt", price: 12345 })
    tv = await createProduct(admin, { title: "TV", price: 50000 })
    sofa = await createProduct(admin, { title: "Sofa", price: 190000 })
  })

  afterAll(async () => {
    await store?.stop()
  })

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const adminPost = async (p: string, body: unknown = {}) => expectOk(await admin.api.post(p, body), `POST ${p}`)
  const balanceOf = async (c: Customer): Promise<number> =>
    expectOk(await c.api.get("/store/customers/me/loyalty"), "GET loyalty").loyalty_account.points_balance
  const redeem = async (c: Customer, body: Record<string, unknown>) => {
    const res = await redeemPoints(store, c, { points: 500, ...body })
    expect(res.status).toBe(201)
    return res.body.redemption as { id: string; discount_code: string }
  }
  const newCart = async (c: Customer) => {
    const { cart } = expectOk(await c.api.post("/store/carts", { region_id: region.id }), "POST /store/carts")
    expectOk(await c.api.post(`/store/carts/${cart.id}/line-items`, { variant_id: shirt, quantity: 1 }), "POST line-items")
    return cart.id as string
  }
  const statusOf = async (id: string) => (await sql(`SELECT status FROM loyalty_redemption WHERE id = $1`, [id]))[0].status
  const disabled = async (code: string) => (await sql(`SELECT is_disabled FROM discount WHERE code = $1`, [code]))[0].is_disabled
  const entriesOf = (c: Customer) =>
    sql(`SELECT kind, points, balance_after, source_id FROM loyalty_ledger_entry WHERE customer_id = $1 ORDER BY seq`, [c.id])
  const firstOrder = async (c: Customer, variant: string, points: number) => {
    const order = await placeOrder(store, { token: c, region, items: [{ variant_id: variant, quantity: 1 }] })
    await waitFor(async () => (await balanceOf(c)) === points, { ...WAIT, description: `${points} points for ${c.email}` })
    return order
  }

  it("voids unused codes newest first after a refund clawback, stops once the balance is no longer negative, and leaves a used code alone", async () => {
    const eve = await createCustomer(store)
    const big = await firstOrder(eve, sofa, 2000)
    const used = await redeem(eve, { region_id: region.id })
    const kept = await redeem(eve, { region_id: region.id })
    const second = await redeem(eve, { region_id: region.id })
    const cart_id = await newCart(eve)
    const newest = await redeem(eve, { cart_id }) // applied to an open cart
    expect(await balanceOf(eve)).toBe(0)

    // The oldest code pays for a second order and is settled by it; that order earns some points of its own.
    const small = await placeOrder(store, { token: eve, region, items: [{ variant_id: shirt, quantity: 1 }], discountCode: used.discount_code })
    await waitFor(async () => (await statusOf(used.id)) === "settled", { ...WAIT, description: "settled code" })
    const earned = await waitFor(async () => (await sql(`SELECT points FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'accrual'`, [small.id]))[0]?.points, WAIT)
    expect(earned).toBeGreaterThan(0)
    expect(earned).toBeLessThan(500) // so one voided code is not enough below
    expect(await balanceOf(eve)).toBe(earned)

    // Half of 1,910.00 refunded: floor(2000 × 95500 / 191000) = 1000 points back, the balance goes below zero.
    await adminPost(`/admin/orders/${big.id}/capture`)
    await adminPost(`/admin/orders/${big.id}/refund`, { amount: 95500, reason: "other" })
    await waitFor(async () => (await entriesOf(eve)).some((e) => e.kind === "clawback"), { ...WAIT, description: "clawback" })

    const tail = (await entriesOf(eve)).slice(-3)
    expect(tail).toEqual([
      { kind: "clawback", points: -1000, balance_after: earned - 1000, source_id: expect.any(String) },
      { kind: "redemption_void", points: 500, balance_after: earned - 500, source_id: newest.id },
      { kind: "redemption_void", points: 500, balance_after: earned, source_id: second.id },
    ])
    expect(await balanceOf(eve)).toBe(earned)
    expect({ used: await statusOf(used.id), kept: await statusOf(kept.id), second: await statusOf(second.id), newest: await statusOf(newest.id) })
      .toEqual({ used: "settled", kept: "reserved", second: "voided", newest: "voided" })
    expect({ kept: await disabled(kept.discount_code), second: await disabled(second.discount_code), newest: await disabled(newest.discount_code) })
      .toEqual({ kept: false, second: true, newest: true })
    const { cart } = expectOk(await eve.api.get(`/store/carts/${cart_id}`), "GET cart")
    expect(cart.discounts).toEqual([])
  })

  it("keeps a code an order already used, even before its settlement, and leaves the balance negative when nothing else is left", async () => {
    const fay = await createCustomer(store)
    const first = await firstOrder(fay, tv, 600)
    const code = await redeem(fay, { region_id: region.id })
    expect(await balanceOf(fay)).toBe(100)

    // The code pays for a second order whose order.placed is held (not settled yet), and the first order is
    // canceled meanwhile: its reversal (−600) runs with the code still `reserved` but in order_discounts.
    const bus = store.container.resolve("eventBusService")
    await bus.stopEnqueuer()
    try {
      await placeOrder(store, { token: fay, region, items: [{ variant_id: shirt, quantity: 1 }], discountCode: code.discount_code })
      await adminPost(`/admin/orders/${first.id}/cancel`)
      const accrual = store.container.resolve("loyaltyAccrualService")
      await store.container.resolve("manager").transaction((m: unknown) => accrual.withTransaction(m).reverseOrder(first.id))
      expect(await statusOf(code.id)).toBe("reserved")
      expect(await balanceOf(fay)).toBe(-500)
    } finally {
      bus.startEnqueuer()
    }
    await waitFor(async () => (await statusOf(code.id)) === "settled", { ...WAIT, description: "settled code" })
    expect((await entriesOf(fay)).filter((e) => e.kind === "redemption_void")).toEqual([])
    expect(await disabled(code.discount_code)).toBe(true)
  })

  it("leaves a ledger that verifies", async () => {
    const res = await admin.api.get("/admin/loyalty/verify")
    expect(res.body).toMatchObject({ ok: true, problems: [] })
  })
})
