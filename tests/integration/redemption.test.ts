import crypto from "crypto"
import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, redeemPoints, startStore, waitFor, query } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

/**
 * Redemption on a real Medusa 1.20 store over HTTP: points → a single-use Medusa discount code. Default program:
 * 100 points = 1.00, at least 500, multiples of 100, codes valid 30 days. Points come from real orders: a first
 * order of 500.00 earns 500 + 100 = 600, of 1,900.00 earns 2,000, of 123.45 earns 223.
 */
describe("redeeming points for a single-use discount code", () => {
  let store: Store
  let admin: Admin
  let region: { id: string; countries: { iso_2: string }[] }
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
  const newKey = () => crypto.randomUUID()
  /** POST a redemption as `c`; `key: null` sends no Idempotency-Key header. */
  const redeem = (c: Customer | null, body: unknown, key: string | null = newKey()) => redeemPoints(store, c, body, key)
  const balanceOf = async (c: Customer): Promise<number> =>
    expectOk(await c.api.get("/store/customers/me/loyalty"), "GET loyalty").loyalty_account.points_balance
  const entriesOf = async (c: Customer) => expectOk(await c.api.get("/store/customers/me/loyalty/entries?limit=100"), "GET entries").entries
  const redemptionsOf = async (c: Customer) => expectOk(await c.api.get("/store/customers/me/loyalty/redemptions?limit=100"), "GET redemptions")
  /** A new member whose first order (of `variant`) has been credited. */
  const memberWith = async (variant: string, points: number) => {
    const c = await createCustomer(store)
    await placeOrder(store, { token: c, region, items: [{ variant_id: variant, quantity: 1 }] })
    await waitFor(async () => (await balanceOf(c)) === points, { description: `${points} points for ${c.email}` })
    return c
  }
  const newCart = async (c: Customer) => {
    const { cart } = expectOk(await c.api.post("/store/carts", { region_id: region.id }), "POST /store/carts")
    expectOk(await c.api.post(`/store/carts/${cart.id}/line-items`, { variant_id: shirt, quantity: 1 }), "POST line-items")
    return cart.id as string
  }
  const ledgerMatchesBalances = async () =>
    sql(`SELECT a.customer_id, a.points_balance, COALESCE(SUM(e.points), 0)::int AS sum FROM loyalty_account a
         LEFT JOIN loyalty_ledger_entry e ON e.account_id = a.id GROUP BY a.id HAVING a.points_balance <> COALESCE(SUM(e.points), 0)`)
  const countOf = async (table: string) => Number((await sql(`SELECT count(*)::int AS n FROM ${table}`))[0].n)

  it("exchanges 500 points for a 5.00 single-use code that takes 5.00 off an order and is settled by it", async () => {
    const amy = await memberWith(tv, 600)
    const res = await redeem(amy, { points: 500, region_id: region.id })
    expect(res.status).toBe(201)
    const r = res.body.redemption
    expect(r).toMatchObject({ points: 500, amount: 500, currency_code: "usd", status: "reserved", cart_id: null })
    expect(r.discount_code).toMatch(/^LOYAL-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/)
    const days = (Date.parse(r.expires_at) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(29.9)
    expect(days).toBeLessThanOrEqual(30)

    // The points leave the balance at once, as a `redemption` entry.
    expect(await balanceOf(amy)).toBe(100)
    expect((await entriesOf(amy))[0]).toMatchObject({ kind: "redemption", points: -500, balance_after: 100 })

    // The discount is a real Medusa discount: fixed 5.00 in the region's currency, one use.
    const { discount } = expectOk(await admin.api.get(`/admin/discounts/code/${r.discount_code}`), "GET discount")
    expect(discount).toMatchObject({ is_dynamic: false, is_disabled: false, usage_limit: 1, usage_count: 0 })
    expect(discount.rule).toMatchObject({ type: "fixed", value: 500, allocation: "total" })
    expect(discount.regions.map((x: any) => [x.id, x.currency_code])).toEqual([[region.id, "usd"]])

    // Checkout with the code: 123.45 + 10.00 shipping − 5.00.
    const order = await placeOrder(store, { token: amy, region, items: [{ variant_id: shirt, quantity: 1 }], discountCode: r.discount_code })
    const { order: placed } = expectOk(await admin.api.get(`/admin/orders/${order.id}`), "GET order")
    expect(placed).toMatchObject({ discount_total: 500, total: 12845 })

    const settled = await waitFor(async () => {
      const [mine] = (await redemptionsOf(amy)).redemptions
      return mine.status === "settled" ? mine : null
    }, { description: "settled redemption" })
    expect(settled.id).toBe(r.id)
    expect(await redemptionsOf(amy)).toMatchObject({ count: 1, limit: 100, offset: 0 })
    expect((await sql(`SELECT order_id FROM loyalty_redemption WHERE id = $1`, [r.id]))[0].order_id).toBe(order.id)

    // Single use: the settled code is disabled (Medusa's usage_count is counted by its own order.placed
    // subscriber, which NODE_ENV=test replaces with a mock), and the plugin refuses it on another cart by its code.
    expect(expectOk(await admin.api.get(`/admin/discounts/code/${r.discount_code}`), "GET discount").discount.is_disabled).toBe(true)
    const again = await amy.api.post(`/store/carts/${await newCart(amy)}`, { discounts: [{ code: r.discount_code }] })
    expect(again.status).toBe(400)
    expect(again.body).toMatchObject({ code: "REDEMPTION_ALREADY_USED", type: "not_allowed" })
    expect(again.body.message).toMatch(/already been used for another order/)
  })

  it("shows the admin the member's codes with their status and the same account summary the member sees", async () => {
    const kim = await memberWith(tv, 600)
    const r = (await redeem(kim, { points: 500, region_id: region.id })).body.redemption
    const listed = expectOk(await admin.api.get(`/admin/loyalty/accounts/${kim.id}/redemptions?limit=5`), "GET admin redemptions")
    expect(listed).toMatchObject({ count: 1, limit: 5, offset: 0 })
    expect(listed.redemptions).toEqual([expect.objectContaining({ id: r.id, discount_code: r.discount_code, status: "reserved", points: 500 })])

    const mine = expectOk(await kim.api.get("/store/customers/me/loyalty"), "GET store loyalty").loyalty_account
    const seen = expectOk(await admin.api.get(`/admin/loyalty/accounts/${kim.id}`), "GET admin account").loyalty_account
    expect(seen).toEqual(mine)
    expect(seen).toMatchObject({ points_balance: 100, next_tier: { code: "silver", points_needed: 400 } })
    expect(seen).toHaveProperty("next_expiry")

    const unknown = await admin.api.get(`/admin/loyalty/accounts/cus_nobody/redemptions`)
    expect(unknown.status).toBe(404)
  })

  it("applies the code to the customer's own cart when redeeming with cart_id", async () => {
    const ben = await memberWith(tv, 600)
    const cart_id = await newCart(ben)
    const res = await redeem(ben, { points: 500, cart_id })
    expect(res.status).toBe(201)
    expect(res.body.redemption).toMatchObject({ points: 500, amount: 500, currency_code: "usd", cart_id, status: "reserved" })

    const { cart } = expectOk(await ben.api.get(`/store/carts/${cart_id}`), "GET cart")
    expect(cart.discounts.map((d: any) => d.code)).toEqual([res.body.redemption.discount_code])
    expect(cart.discount_total).toBe(500)
    expect(await balanceOf(ben)).toBe(100)
  })

  it("refuses a redemption larger than the balance with INSUFFICIENT_POINTS and writes nothing", async () => {
    const carl = await memberWith(shirt, 223)
    const before = { entries: await entriesOf(carl), discounts: await countOf("discount"), redemptions: await countOf("loyalty_redemption") }

    const res = await redeem(carl, { points: 500, region_id: region.id })
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ type: "not_allowed", code: "INSUFFICIENT_POINTS" })
    expect(res.body.message).toMatch(/500 requested, 223 available/)

    expect(await balanceOf(carl)).toBe(223)
    expect(await entriesOf(carl)).toEqual(before.entries)
    expect((await redemptionsOf(carl)).count).toBe(0)
    expect(await countOf("discount")).toBe(before.discounts)
    expect(await countOf("loyalty_redemption")).toBe(before.redemptions)
  })

  it("answers 400 naming the field for bad input, 404 for another customer's cart, 401 without a session", async () => {
    const dora = await memberWith(tv, 600)
    const other = await createCustomer(store)
    const othersCart = await newCart(other)
    const discountsBefore = await countOf("discount")
    const r = region.id
    const cases: [unknown, RegExp][] = [
      [{ points: 450, region_id: r }, /points must be at least 500/],
      [{ points: 550, region_id: r }, /points must be a multiple of 100/],
      [{ points: 0, region_id: r }, /points must be a positive integer/],
      [{ points: "abc", region_id: r }, /body\.points/],
      [{ region_id: r }, /body\.points/],
      [{ points: 500.5, region_id: r }, /body\.points/],
      [{ points: 500, region_id: r, cart_id: othersCart }, /exactly one of region_id or cart_id/],
      [{ points: 500 }, /exactly one of region_id or cart_id/],
      [{ points: 500, region_id: r, customer_id: other.id }, /body.*customer_id/],
    ]
    for (const [body, message] of cases) {
      const res = await redeem(dora, body)
      expect({ body, status: res.status, type: res.body.type }).toEqual({ body, status: 400, type: "invalid_data" })
      expect(res.body.message).toMatch(message)
    }
    const noKey = await redeem(dora, { points: 500, region_id: r }, null)
    expect(noKey.status).toBe(400)
    expect(noKey.body.message).toMatch(/headers\.Idempotency-Key: .*required/)

    expect((await redeem(dora, { points: 500, cart_id: othersCart })).status).toBe(404)
    expect((await redeem(dora, { points: 500, cart_id: "cart_does_not_exist" })).status).toBe(404)
    expect((await redeem(dora, { points: 500, region_id: "reg_does_not_exist" })).status).toBe(404)
    expect((await redeem(null, { points: 500, region_id: r })).status).toBe(401)

    expect(await balanceOf(dora)).toBe(600)
    expect((await redemptionsOf(dora)).count).toBe(0)
    expect(await countOf("discount")).toBe(discountsBefore)
  })

  it("returns the same redemption for a retried request and refuses the key for a different request", async () => {
    const eli = await memberWith(sofa, 2000)
    const key = newKey()
    const first = await redeem(eli, { points: 500, region_id: region.id }, key)
    expect(first.status).toBe(201)
    const retry = await redeem(eli, { points: 500, region_id: region.id }, key)
    expect(retry.status).toBe(200)
    expect(retry.body.redemption).toEqual(first.body.redemption)

    const conflict = await redeem(eli, { points: 600, region_id: region.id }, key)
    expect(conflict.status).toBe(422)
    expect(conflict.body).toMatchObject({ type: "duplicate_error" })
    expect(conflict.body.message).toMatch(/Idempotency-Key was already used/)

    // Concurrent retries of one request: one redemption, one entry.
    const key2 = newKey()
    const burst = await Promise.all(Array.from({ length: 5 }, () => redeem(eli, { points: 1000, region_id: region.id }, key2)))
    expect(burst.map((b) => b.status).sort()).toEqual([200, 200, 200, 200, 201])
    expect(new Set(burst.map((b) => b.body.redemption.id)).size).toBe(1)

    expect(await balanceOf(eli)).toBe(500)
    expect((await entriesOf(eli)).filter((e: any) => e.kind === "redemption").map((e: any) => e.points)).toEqual([-1000, -500])
    expect((await redemptionsOf(eli)).count).toBe(2)
  })

  it("never overdraws: 50 concurrent 500-point redemptions on 2,000 points give exactly 4 codes", async () => {
    const fay = await memberWith(sofa, 2000)
    const discountsBefore = await countOf("discount")
    const results = await Promise.all(Array.from({ length: 50 }, () => redeem(fay, { points: 500, region_id: region.id })))

    const ok = results.filter((x) => x.status === 201)
    const refused = results.filter((x) => x.status === 400 && x.body.code === "INSUFFICIENT_POINTS")
    expect([ok.length, refused.length]).toEqual([4, 46])
    expect(new Set(ok.map((x) => x.body.redemption.discount_code)).size).toBe(4)
    expect(await balanceOf(fay)).toBe(0)
    const [sum] = await sql(`SELECT COALESCE(SUM(points), 0)::int AS s, count(*)::int AS n FROM loyalty_ledger_entry WHERE customer_id = $1`, [fay.id])
    expect(sum).toEqual({ s: 0, n: 5 })
    expect(await countOf("discount")).toBe(discountsBefore + 4)
    expect((await redemptionsOf(fay)).count).toBe(4)
    expect(await ledgerMatchesBalances()).toEqual([])
  })

  it("rolls everything back when a write fails mid-redemption: no code, no entry, no redemption, same balance", async () => {
    const gil = await memberWith(tv, 600)
    // A real database failure at the last write of the unit of work (the ledger entry), after the discount and
    // the redemption row were written in the same transaction.
    await sql(`CREATE FUNCTION loyalty_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN RAISE EXCEPTION 'test: ledger insert refused'; END $$`)
    await sql(`CREATE TRIGGER loyalty_test_refuse BEFORE INSERT ON loyalty_ledger_entry FOR EACH ROW
               WHEN (NEW.customer_id = '${gil.id}') EXECUTE FUNCTION loyalty_test_refuse()`)
    const before = {
      entries: await entriesOf(gil),
      discounts: await countOf("discount"),
      rules: await countOf("discount_rule"),
      redemptions: await countOf("loyalty_redemption"),
    }
    const key = newKey()
    let res: { status: number; body: any } | undefined
    try {
      res = await redeem(gil, { points: 500, region_id: region.id }, key)
    } finally {
      await sql(`DROP TRIGGER loyalty_test_refuse ON loyalty_ledger_entry`)
      await sql(`DROP FUNCTION loyalty_test_refuse()`)
    }
    expect(res.status).toBe(500)
    expect(await balanceOf(gil)).toBe(600)
    expect(await entriesOf(gil)).toEqual(before.entries)
    expect(await countOf("discount")).toBe(before.discounts)
    expect(await countOf("discount_rule")).toBe(before.rules)
    expect(await countOf("loyalty_redemption")).toBe(before.redemptions)

    // Nothing was half-done: the same request now succeeds.
    expect((await redeem(gil, { points: 500, region_id: region.id }, key)).status).toBe(201)
    expect(await balanceOf(gil)).toBe(100)
  })

  it("gives the points of expired unused codes back and disables them, leaves used codes alone, and is idempotent", async () => {
    const service = store.container.resolve("loyaltyRedemptionService")
    const bus = store.container.resolve("eventBusService")
    // hal: a code sitting unused on an open cart.
    const hal = await memberWith(tv, 600)
    const cart_id = await newCart(hal)
    const unused = (await redeem(hal, { points: 500, cart_id })).body.redemption
    // ivy: a code used by an order whose order.placed has not been handled yet (events held).
    const ivy = await memberWith(tv, 600)
    const used = (await redeem(ivy, { points: 500, region_id: region.id })).body.redemption
    await bus.stopEnqueuer()
    let counts
    let order
    try {
      order = await placeOrder(store, { token: ivy, region, items: [{ variant_id: shirt, quantity: 1 }], discountCode: used.discount_code })
      const reserved = (await sql(`SELECT count(*)::int AS n FROM loyalty_redemption WHERE status = 'reserved'`))[0].n
      const later = new Date(Date.parse(unused.expires_at) + 86_400_000)
      // Nothing has expired 29 days from now.
      expect(await service.voidExpired(new Date(Date.now() + 29 * 86_400_000))).toMatchObject({ examined: 0, voided: 0 })
      counts = await service.voidExpired(later)
      expect(counts).toEqual({ examined: reserved, voided: reserved - 1, settled: 1, skipped: 0, failed: 0 })
    } finally {
      bus.startEnqueuer()
    }

    // The unused code: voided, points back, disabled, off the cart.
    const [halsRedemption] = (await redemptionsOf(hal)).redemptions
    expect(halsRedemption).toMatchObject({ id: unused.id, status: "voided" })
    expect(await balanceOf(hal)).toBe(600)
    expect((await entriesOf(hal))[0]).toMatchObject({ kind: "redemption_void", points: 500, balance_after: 600 })
    const { cart } = expectOk(await hal.api.get(`/store/carts/${cart_id}`), "GET cart")
    expect(cart.discounts).toEqual([])
    const retry = await hal.api.post(`/store/carts/${await newCart(hal)}`, { discounts: [{ code: unused.discount_code }] })
    expect(retry.status).toBe(400)
    expect(retry.body).toMatchObject({ code: "REDEMPTION_EXPIRED", type: "not_allowed" })
    expect(retry.body.message).toMatch(/has expired and its points went back/)

    // The used code: settled with its order, no points back.
    expect((await redemptionsOf(ivy)).redemptions[0]).toMatchObject({ id: used.id, status: "settled" })
    expect((await sql(`SELECT order_id FROM loyalty_redemption WHERE id = $1`, [used.id]))[0].order_id).toBe(order.id)
    expect((await entriesOf(ivy)).some((e: any) => e.kind === "redemption_void")).toBe(false)

    // A second run changes nothing (once the held order.placed of ivy's order has been handled).
    await waitFor(async () => (await sql(`SELECT 1 FROM loyalty_ledger_entry WHERE order_id = $1`, [order.id])).length === 1)
    const entries = await countOf("loyalty_ledger_entry")
    expect(await service.voidExpired(new Date(Date.parse(unused.expires_at) + 86_400_000))).toEqual({
      examined: 0, voided: 0, settled: 0, skipped: 0, failed: 0,
    })
    expect(await countOf("loyalty_ledger_entry")).toBe(entries)
    expect(await ledgerMatchesBalances()).toEqual([])
  })
})
