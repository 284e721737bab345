import crypto from "crypto"
import { Client } from "pg"
import {
  api,
  createAdmin,
  createCustomer,
  createProduct,
  createRegion,
  expectOk,
  placeOrder,
  prepareCart,
  query,
  redeemPoints,
  selectManualPayment,
  startStore,
  waitFor,
} from "../helpers/harness"
import type { Admin, ApiClient, ApiResponse, Customer, Store } from "../helpers/harness"

/**
 * Checkout safety on a real Medusa 1.20 store over HTTP: a loyalty redemption code pays for at most one order, of
 * the member who redeemed it, whatever the timing (carts pre-applied, completed one after another, back-to-back,
 * concurrently), and a lost order.placed is repaired by reconcile and seen by verify. Default program: a first
 * order of 500.00 earns 600 points; 500 points = a 5.00 code.
 */
describe("checkout safety: a redemption code pays for exactly one order", () => {
  let store: Store
  let admin: Admin
  let region: { id: string; countries: { iso_2: string }[] }
  let shirt: string // 123.45
  let tv: string // 500.00

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    shirt = await createProduct(admin, { title: "Shirt", price: 12345 })
    tv = await createProduct(admin, { title: "TV", price: 50000 })
  })

  afterAll(async () => {
    await store?.stop()
  })

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const balanceOf = async (c: Customer): Promise<number> =>
    expectOk(await c.api.get("/store/customers/me/loyalty"), "GET loyalty").loyalty_account.points_balance

  /** A new member with 600 points and a 500-point code. */
  const memberWithCode = async () => {
    const member = await createCustomer(store)
    await placeOrder(store, { token: member, region, items: [{ variant_id: tv, quantity: 1 }] })
    await waitFor(async () => (await balanceOf(member)) === 600, { description: `600 points for ${member.email}` })
    const res = await redeemPoints(store, member, { points: 500, region_id: region.id })
    expect(res.status).toBe(201)
    const redemption = res.body.redemption as { id: string; discount_code: string }
    return { member, code: redemption.discount_code, redemption_id: redemption.id }
  }
  /** A cart of `who` (a member, or null: a guest) ready to complete, holding `code` when given. */
  const cartOf = async (who: Customer | null, code?: string) =>
    prepareCart(store, { token: who ?? undefined, region, items: [{ variant_id: shirt, quantity: 1 }], discountCode: code })
  const complete = (c: ApiClient, cart_id: string): Promise<ApiResponse> => c.post(`/store/carts/${cart_id}/complete`)
  /** Orders that used `code`: the money that left through the checkout. */
  const ordersDiscountedBy = async (code: string) =>
    sql(
      `SELECT o.id, o.cart_id FROM "order" o JOIN order_discounts od ON od.order_id = o.id JOIN discount d ON d.id = od.discount_id
        WHERE d.code = $1`,
      [code]
    )
  const paymentOf = async (cart_id: string) =>
    (await sql(`SELECT c.payment_authorized_at, p.created_at, p.canceled_at FROM cart c LEFT JOIN payment p ON p.cart_id = c.id WHERE c.id = $1
                ORDER BY p.created_at DESC NULLS LAST LIMIT 1`, [cart_id]))[0]
  /** The loser's way out: remove the code, pay again, complete → an order without the loyalty discount. */
  const completeWithoutCode = async (c: ApiClient, cart_id: string, code: string) => {
    const { cart } = expectOk(await c.get(`/store/carts/${cart_id}`), "GET cart")
    if (cart.discounts.some((d: any) => d.code === code)) {
      expectOk(await c.del(`/store/carts/${cart_id}/discounts/${code}`), "DELETE discount")
    }
    await selectManualPayment(c, cart_id)
    const done = expectOk(await complete(c, cart_id), "complete without the code")
    expect(done.type).toBe("order")
    expect(done.data.discount_total).toBe(0)
    return done.data
  }
  const expectRefused = (res: ApiResponse, code: string) => {
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ code, type: "not_allowed" })
    expect(res.body.message).toMatch(/Remove the code to complete the order without it/)
  }

  it("honours a code pre-applied to the member's two carts and a guest's once: the others are refused, then complete without it", async () => {
    const { member, code } = await memberWithCode()
    const first = await cartOf(member, code)
    const second = await cartOf(member, code)
    // The guest's cart: applied by the member, then taken over by a guest giving an email (a known cart id is enough).
    const third = await cartOf(member, code)
    expectOk(await api(store.baseUrl).post(`/store/carts/${third.cart.id}`, { email: `guest-${crypto.randomUUID()}@example.com` }), "guest takes the cart")
    const guest = api(store.baseUrl)

    const won = expectOk(await complete(first.api, first.cart.id), "first completion")
    expect(won).toMatchObject({ type: "order", data: { discount_total: 500 } })
    // Back to back, no delay: the claim refuses before payment is authorized.
    const secondTry = await complete(second.api, second.cart.id)
    expectRefused(secondTry, "REDEMPTION_ALREADY_USED")
    // With a delay (the code settles meanwhile and is taken off open carts): the guest can no longer use it.
    await waitFor(async () => (await sql(`SELECT status FROM loyalty_redemption WHERE discount_code = $1`, [code]))[0].status === "settled",
      { description: "code settled" })
    await new Promise((r) => setTimeout(r, 1000))
    const thirdTry = await complete(guest, third.cart.id)
    if (thirdTry.status === 400) expectRefused(thirdTry, "REDEMPTION_NOT_YOURS")
    else expect(thirdTry.body).toMatchObject({ type: "order", data: { discount_total: 0 } }) // swept off the cart first

    await completeWithoutCode(second.api, second.cart.id, code)
    if (thirdTry.status === 400) await completeWithoutCode(guest, third.cart.id, code)
    expect((await ordersDiscountedBy(code)).map((o) => o.id)).toEqual([won.data.id])
  })

  it("lets exactly one of 5 carts completed concurrently use the code; the 4 others get REDEMPTION_ALREADY_USED and their payment cancelled", async () => {
    const { member, code } = await memberWithCode()
    const carts = await Promise.all(Array.from({ length: 5 }, () => cartOf(member, code)))
    const answers = await Promise.all(carts.map((c) => complete(c.api, c.cart.id)))

    const orders = answers.filter((a) => a.status === 200)
    expect(orders).toHaveLength(1)
    expect(orders[0].body).toMatchObject({ type: "order", data: { discount_total: 500 } })
    const losers = carts.filter((_, i) => answers[i].status !== 200)
    for (const a of answers.filter((x) => x.status !== 200)) expectRefused(a, "REDEMPTION_ALREADY_USED")
    for (const l of losers) {
      // Either refused before authorizing (the claim was already committed) or authorized then cancelled.
      const p = await paymentOf(l.cart.id)
      expect(p.payment_authorized_at).toBeNull()
      if (p.created_at !== null) expect(p.canceled_at).not.toBeNull() // a payment it authorized is cancelled
    }
    for (const l of losers) await completeWithoutCode(l.api, l.cart.id, code)
    expect(await ordersDiscountedBy(code)).toHaveLength(1)
  })

  it("lets one of 3 carts completed back-to-back within milliseconds use the code", async () => {
    const { member, code } = await memberWithCode()
    const carts = await Promise.all([cartOf(member, code), cartOf(member, code), cartOf(member, code)])
    const answers = await Promise.all(
      carts.map(async (c, i) => {
        await new Promise((r) => setTimeout(r, i * 5))
        return complete(c.api, c.cart.id)
      })
    )
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1)
    for (const a of answers.filter((x) => x.status !== 200)) expectRefused(a, "REDEMPTION_ALREADY_USED")
    expect(await ordersDiscountedBy(code)).toHaveLength(1)
  })

  it("cancels the payment a losing cart had authorized when another checkout claims the code first, and the loser completes without it", async () => {
    const { member, code, redemption_id } = await memberWithCode()
    const loser = await cartOf(member, code)
    // Another checkout in flight: its transaction holds the claim, uncommitted, while the loser authorizes payment.
    const inFlight = new Client({ connectionString: store.databaseUrl })
    await inFlight.connect()
    let answer: Promise<ApiResponse>
    try {
      await inFlight.query("BEGIN")
      await inFlight.query(
        `INSERT INTO loyalty_redemption_claim (discount_id, redemption_id, cart_id, customer_id)
         SELECT discount_id, id, 'cart_in_flight', customer_id FROM loyalty_redemption WHERE id = $1`,
        [redemption_id]
      )
      answer = complete(loser.api, loser.cart.id)
      // The loser passed the early check (nothing committed yet), authorized its payment and now waits on the claim.
      await waitFor(async () => (await paymentOf(loser.cart.id))?.payment_authorized_at, { description: "loser authorized" })
      await waitFor(
        async () => (await sql(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).length > 0,
        { description: "loser waiting for the claim" }
      )
      await inFlight.query("COMMIT")
    } finally {
      await inFlight.end()
    }
    expectRefused(await answer!, "REDEMPTION_ALREADY_USED")
    const payment = await paymentOf(loser.cart.id)
    expect(payment.canceled_at).not.toBeNull()
    expect(payment.payment_authorized_at).toBeNull()
    const order = await completeWithoutCode(loser.api, loser.cart.id, code)
    expect(order.payment_status).toBe("awaiting")
    expect(await ordersDiscountedBy(code)).toHaveLength(0) // the in-flight checkout was only a claim
  })

  it("refuses another customer's and a guest's use of a member's code, at apply time and at completion", async () => {
    const { member, code } = await memberWithCode()
    const stranger = await createCustomer(store)

    // Apply time, as early as Medusa allows: the cart update is refused, nothing applied.
    const strangersCart = await cartOf(stranger)
    expectRefused(await stranger.api.post(`/store/carts/${strangersCart.cart.id}`, { discounts: [{ code }] }), "REDEMPTION_NOT_YOURS")
    const guestsCart = await cartOf(null)
    expectRefused(await guestsCart.api.post(`/store/carts/${guestsCart.cart.id}`, { discounts: [{ code }] }), "REDEMPTION_NOT_YOURS")
    expect(expectOk(await guestsCart.api.get(`/store/carts/${guestsCart.cart.id}`), "GET cart").cart.discounts).toEqual([])

    // Completion: the member's cart taken over by another customer (signed in, Medusa makes it theirs).
    const taken = await cartOf(member, code)
    expectOk(await stranger.api.post(`/store/carts/${taken.cart.id}`, {}), "stranger takes the cart")
    expectRefused(await complete(stranger.api, taken.cart.id), "REDEMPTION_NOT_YOURS")
    await completeWithoutCode(stranger.api, taken.cart.id, code)

    // The member still has the code and uses it.
    const own = await cartOf(member, code)
    expect(expectOk(await complete(own.api, own.cart.id), "member completes")).toMatchObject({ type: "order", data: { discount_total: 500 } })
    expect(await ordersDiscountedBy(code)).toHaveLength(1)
  })

  it("settles a code whose order.placed was lost when reconcile runs, and verify reports it before", async () => {
    const { member, code, redemption_id } = await memberWithCode()
    const bus = store.container.resolve("eventBusService")
    const spare = await cartOf(member, code)
    let order: any
    await bus.stopEnqueuer()
    try {
      order = await placeOrder(store, { token: member, region, items: [{ variant_id: shirt, quantity: 1 }], discountCode: code })
      const lost = await sql(`DELETE FROM staged_job WHERE event_name = 'order.placed' RETURNING id`)
      expect(lost.length).toBeGreaterThanOrEqual(1)
    } finally {
      bus.startEnqueuer()
    }
    expect((await sql(`SELECT status FROM loyalty_redemption WHERE id = $1`, [redemption_id]))[0].status).toBe("reserved")

    // Still single use: the other cart holding the code is refused.
    expectRefused(await complete(spare.api, spare.cart.id), "REDEMPTION_ALREADY_USED")

    const before = expectOk(await admin.api.get("/admin/loyalty/verify"), "verify before")
    expect(before.verify?.ok ?? before.ok).toBe(false)
    const problems = (before.verify ?? before).problems
    expect(problems).toContainEqual(expect.objectContaining({ check: "redemption_unsettled", redemption_id, actual: "reserved" }))

    const reconciled = expectOk(await admin.api.post("/admin/loyalty/jobs/reconcile", {}), "reconcile").reconcile
    expect(reconciled.redemptions_settled).toBe(1)
    const [row] = await sql(`SELECT status, order_id FROM loyalty_redemption WHERE id = $1`, [redemption_id])
    expect(row).toEqual({ status: "settled", order_id: order.id })
    // Settling takes the code off the other open cart and disables it.
    const { cart } = expectOk(await spare.api.get(`/store/carts/${spare.cart.id}`), "GET spare cart")
    expect(cart.discounts).toEqual([])
    const after = expectOk(await admin.api.get("/admin/loyalty/verify"), "verify after")
    expect((after.verify ?? after).problems.filter((p: any) => p.check.startsWith("redemption_"))).toEqual([])
    expect(expectOk(await admin.api.post("/admin/loyalty/jobs/reconcile", {}), "reconcile again").reconcile.redemptions_settled).toBe(0)
  })
})
