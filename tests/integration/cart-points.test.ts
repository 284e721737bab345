import crypto from "crypto"
import { Client } from "pg"
import {
  api,
  createAdmin,
  createCustomer,
  createProduct,
  createRegion,
  expectOk,
  prepareCart,
  query,
  rulesDirWithProgram,
  selectManualPayment,
  startStore,
  waitFor,
} from "../helpers/harness"
import type { Admin, ApiClient, ApiResponse, Customer, Store } from "../helpers/harness"
import { CartPointsResponse } from "../../src/domain/http/cart-points"

/**
 * Paying with points in the cart on a real Medusa 1.20 store over HTTP: points applied to a member's cart lower its
 * totals at once (line-item adjustments), nothing is debited until the order's completion, which debits them under
 * the member's account lock or refuses with a 400. Program: 100 points = 1.00, from 500 points in steps of 100,
 * points may pay at most half of the cart's goods. A shirt costs 123.45 (at most 6100 points), a TV 500.00.
 */
describe("paying with points in the cart", () => {
  let store: Store
  let admin: Admin
  let region: { id: string; countries: { iso_2: string }[] }
  let shirt: string
  let tv: string
  const rules = rulesDirWithProgram({
    redemption: { points_per_currency_unit: 100, min_points: 500, step_points: 100, code_valid_days: 30, max_cart_share_bps: 5000 },
  })

  beforeAll(async () => {
    store = await startStore({ pluginOptions: { rules_dir: rules.dir } })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    shirt = await createProduct(admin, { title: "Shirt", price: 12345 })
    tv = await createProduct(admin, { title: "TV", price: 50000 })
  })

  afterAll(async () => {
    await store?.stop()
    rules.remove()
  })

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const balanceOf = async (c: Customer): Promise<number> =>
    expectOk(await c.api.get("/store/customers/me/loyalty"), "GET loyalty").loyalty_account.points_balance
  /** A new member holding `points` (an admin adjustment). */
  const memberWith = async (points: number): Promise<Customer> => {
    const member = await createCustomer(store)
    const res = await admin.api.post(`/admin/loyalty/accounts/${member.id}/adjustments`, { points, reason: "test balance" }, { "Idempotency-Key": crypto.randomUUID() })
    expect(res.status).toBe(200)
    return member
  }
  const cartOf = (who: Customer | null, items = [{ variant_id: shirt, quantity: 1 }]) =>
    prepareCart(store, { token: who ?? undefined, region, items })
  const applyPoints = (c: ApiClient, cart_id: string, points: unknown): Promise<ApiResponse> =>
    c.post(`/store/carts/${cart_id}/loyalty/points`, { points })
  const complete = (c: ApiClient, cart_id: string): Promise<ApiResponse> => c.post(`/store/carts/${cart_id}/complete`)
  /** The ledger entries of a cart's points (debit, give-backs), oldest first. */
  const entriesOfCart = (cart_id: string) =>
    sql(`SELECT idempotency_key, kind, points, order_id FROM loyalty_ledger_entry WHERE source_id = $1 ORDER BY seq`, [cart_id])
  const cartTotals = async (c: ApiClient, cart_id: string) => {
    const { cart } = expectOk(await c.get(`/store/carts/${cart_id}`), "GET cart")
    return { subtotal: cart.subtotal, discount_total: cart.discount_total, shipping_total: cart.shipping_total, total: cart.total }
  }

  it("shows the points' value in the cart's totals at once, and takes it off again when the points are removed", async () => {
    const member = await memberWith(3000)
    const { cart, api: c } = await cartOf(member)
    const before = await cartTotals(c, cart.id)
    expect(before.discount_total).toBe(0)

    const answer = expectOk(await applyPoints(c, cart.id, 1500), "apply points")
    CartPointsResponse.parse(answer) // the documented response schema (strict: no undocumented key)
    const applied = answer.cart_points
    expect(applied).toMatchObject({ cart_id: cart.id, points: 1500, amount_minor: 1500, currency_code: "usd", max_points: 6100 })
    expect(applied.totals).toMatchObject({ subtotal: 12345, discount_total: 1500, total: before.total - 1500 })
    // Medusa's own cart answer shows it too.
    expect(await cartTotals(c, cart.id)).toEqual({ ...before, discount_total: 1500, total: before.total - 1500 })
    // Applying again replaces the points, it does not add to them.
    expect(expectOk(await applyPoints(c, cart.id, 1000), "apply again").cart_points.totals.discount_total).toBe(1000)

    const removed = CartPointsResponse.parse(expectOk(await c.del(`/store/carts/${cart.id}/loyalty/points`), "remove points")).cart_points
    expect(removed).toMatchObject({ points: 0, amount_minor: 0, totals: { discount_total: 0, total: before.total } })
    expect(await cartTotals(c, cart.id)).toEqual(before)
    expect(await balanceOf(member)).toBe(3000)
  })

  it("debits exactly the applied points once when the cart completes after it changed, its totals showing them after every change", async () => {
    const member = await memberWith(3000)
    const { cart, api: c } = await cartOf(member, [{ variant_id: shirt, quantity: 2 }])
    expectOk(await applyPoints(c, cart.id, 2000), "apply points")
    // The cart changes after the points: a line added, a quantity lowered, the line that first carried them removed.
    const added = expectOk(await c.post(`/store/carts/${cart.id}/line-items`, { variant_id: tv, quantity: 1 }), "add the TV").cart
    expect(added).toMatchObject({ subtotal: 74690, discount_total: 2000 })
    const shirtLine = added.items.find((i: any) => i.variant_id === shirt)
    const lowered = expectOk(await c.post(`/store/carts/${cart.id}/line-items/${shirtLine.id}`, { quantity: 1 }), "one shirt").cart
    expect(lowered).toMatchObject({ subtotal: 62345, discount_total: 2000 })
    const removed = expectOk(await c.del(`/store/carts/${cart.id}/line-items/${shirtLine.id}`), "no shirt").cart
    expect(removed).toMatchObject({ subtotal: 50000, discount_total: 2000, total: 50000 + removed.shipping_total - 2000 })
    await selectManualPayment(c, cart.id)

    const done = expectOk(await complete(c, cart.id), "complete")
    expect(done.type).toBe("order")
    expect(done.data).toMatchObject({ subtotal: 50000, discount_total: 2000, total: 50000 + done.data.shipping_total - 2000 })
    const debits = (await entriesOfCart(cart.id)).filter((e) => e.kind === "redemption")
    expect(debits).toEqual([{ idempotency_key: `cart-points:${cart.id}`, kind: "redemption", points: -2000, order_id: done.data.id }])
    // The order's accrual comes later (order.placed); the debit is the only other movement.
    const earned = await waitFor(
      async () => (await sql(`SELECT points FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'accrual'`, [done.data.id]))[0],
      { description: "accrual of the order" }
    )
    expect(await balanceOf(member)).toBe(3000 - 2000 + earned.points)
  })

  it("lets one of two carts holding the same points complete when both complete at once; the other gets a 400 and completes without points", async () => {
    const member = await memberWith(1500)
    const carts = await Promise.all([cartOf(member), cartOf(member)])
    for (const { cart, api: c } of carts) expectOk(await applyPoints(c, cart.id, 1000), "apply to both carts")

    // Both completions get past the early check and authorize payment, then queue for the member's account lock
    // (held here meanwhile, so both are in the queue whatever the timing): the lock decides.
    const holder = new Client({ connectionString: store.databaseUrl })
    await holder.connect()
    let answers: ApiResponse[]
    try {
      await holder.query("BEGIN")
      await holder.query(`SELECT 1 FROM loyalty_account WHERE customer_id = $1 FOR UPDATE`, [member.id])
      const completing = Promise.all(carts.map(({ cart, api: c }) => complete(c, cart.id)))
      await waitFor(
        async () => (await sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`))[0].n >= 2,
        { description: "both completions waiting for the account lock" }
      )
      await holder.query("COMMIT")
      answers = await completing
    } finally {
      await holder.end()
    }
    const won = answers.filter((a) => a.status === 200)
    expect(won).toHaveLength(1)
    expect(won[0].body).toMatchObject({ type: "order", data: { discount_total: 1000 } })
    const lost = answers.findIndex((a) => a.status !== 200)
    expect(answers[lost].status).toBe(400)
    expect(answers[lost].body).toMatchObject({ code: "INSUFFICIENT_POINTS", type: "not_allowed" })
    expect(answers[lost].body.message).toMatch(/Remove the points to complete the order without them/)
    const debited = await sql(
      `SELECT points, balance_after FROM loyalty_ledger_entry WHERE customer_id = $1 AND kind = 'redemption' ORDER BY seq`,
      [member.id]
    )
    expect(debited).toEqual([{ points: -1000, balance_after: 500 }])
    const lowest = await sql(`SELECT min(balance_after) AS lowest FROM loyalty_ledger_entry WHERE customer_id = $1`, [member.id])
    expect(Number(lowest[0].lowest)).toBeGreaterThanOrEqual(0)
    // The loser had authorized its payment: the refusal cancelled it.
    const [payment] = await sql(
      `SELECT c.payment_authorized_at, p.canceled_at FROM cart c JOIN payment p ON p.cart_id = c.id WHERE c.id = $1 ORDER BY p.created_at DESC LIMIT 1`,
      [carts[lost].cart.id]
    )
    expect(payment.payment_authorized_at).toBeNull()
    expect(payment.canceled_at).not.toBeNull()

    // The loser's way out: take the points off, pay again, complete.
    const loser = carts[lost]
    expectOk(await loser.api.del(`/store/carts/${loser.cart.id}/loyalty/points`), "remove points")
    await selectManualPayment(loser.api, loser.cart.id)
    expect(expectOk(await complete(loser.api, loser.cart.id), "complete without points")).toMatchObject({ type: "order", data: { discount_total: 0 } })
    expect(await entriesOfCart(loser.cart.id)).toEqual([])
  })

  it("leaves the balance untouched when a cart holding points is abandoned", async () => {
    const member = await memberWith(2000)
    const { cart, api: c } = await cartOf(member)
    expectOk(await applyPoints(c, cart.id, 2000), "apply all points")
    expect(await balanceOf(member)).toBe(2000)
    expect(await entriesOfCart(cart.id)).toEqual([])
    // The points are still the member's to spend elsewhere.
    const other = await cartOf(member)
    expectOk(await applyPoints(other.api, other.cart.id, 2000), "apply them to another cart")
    expect(expectOk(await complete(other.api, other.cart.id), "complete the other cart").data.discount_total).toBe(2000)
  })

  it("gives the points back when the order paid with them is canceled", async () => {
    const member = await memberWith(1000)
    const { cart, api: c } = await cartOf(member)
    expectOk(await applyPoints(c, cart.id, 800), "apply points")
    const order = expectOk(await complete(c, cart.id), "complete").data
    expectOk(await admin.api.post(`/admin/orders/${order.id}/cancel`), "cancel")

    const back = await waitFor(
      async () => (await entriesOfCart(cart.id)).find((e) => e.idempotency_key === `cart-points:${cart.id}:cancel`),
      { description: "points given back" }
    )
    expect(back).toMatchObject({ kind: "redemption_void", points: 800, order_id: order.id })
    const net = await sql(`SELECT COALESCE(SUM(points), 0)::int AS net FROM loyalty_ledger_entry WHERE source_id = $1`, [cart.id])
    expect(net[0].net).toBe(0)
  })

  it("gives back the points' share of each refund, and all of them once the whole payment is refunded", async () => {
    const member = await memberWith(1000)
    const { cart, api: c } = await cartOf(member)
    expectOk(await applyPoints(c, cart.id, 1000), "apply points")
    const order = expectOk(await complete(c, cart.id), "complete").data
    const paid = order.total // the money: goods and shipping less the points
    expectOk(await admin.api.post(`/admin/orders/${order.id}/capture`), "capture")
    const giveBacks = async (n: number) =>
      waitFor(async () => {
        const rows = (await entriesOfCart(cart.id)).filter((e) => e.idempotency_key.startsWith(`cart-points:${cart.id}:refund:`))
        return rows.length === n ? rows : null
      }, { description: `${n} refund give-backs` })

    const third = Math.floor(paid / 3)
    expectOk(await admin.api.post(`/admin/orders/${order.id}/refund`, { amount: third, reason: "other" }), "refund a third")
    const [first] = await giveBacks(1)
    expect(first).toMatchObject({ kind: "redemption_void", points: Math.floor((1000 * third) / paid), order_id: order.id })
    expectOk(await admin.api.post(`/admin/orders/${order.id}/refund`, { amount: paid - third, reason: "other" }), "refund the rest")
    const both = await giveBacks(2)
    expect(both.reduce((sum, e) => sum + e.points, 0)).toBe(1000)
  })

  it("refuses a guest: no points can be applied without signing in", async () => {
    const { cart, api: guest } = await cartOf(null)
    const res = await applyPoints(guest, cart.id, 500)
    expect(res.status).toBe(401)
    expect((await cartTotals(guest, cart.id)).discount_total).toBe(0)
    // Nor can a signed-in member put their points on someone else's cart.
    const member = await memberWith(1000)
    const stranger = await applyPoints(member.api, cart.id, 500)
    expect(stranger.status).toBe(404)
    expect((await cartTotals(guest, cart.id)).discount_total).toBe(0)
  })

  it("refuses points outside the program's bounds with a 400 naming the field points", async () => {
    const member = await memberWith(10000)
    const { cart, api: c } = await cartOf(member)
    const refusedWith = async (points: unknown, code: string, message: RegExp) => {
      const res = await applyPoints(c, cart.id, points)
      expect(res.status).toBe(400)
      expect(res.body.code).toBe(code)
      expect(res.body.message).toMatch(message)
    }
    await refusedWith(400, "INVALID_INPUT", /points must be at least 500/)
    await refusedWith(550, "INVALID_INPUT", /points must be a multiple of 100/)
    await refusedWith(1.5, "INVALID_INPUT", /points/)
    // Half of the goods (123.45 → 61.72) is the most: 6100 points pay 61.00, 6200 would pay 62.00.
    await refusedWith(6200, "INVALID_INPUT", /points may pay at most 50% of the cart's goods .*apply at most 6100 points/)
    expect(expectOk(await applyPoints(c, cart.id, 6100), "the maximum").cart_points.totals.discount_total).toBe(6100)
    const poor = await memberWith(600)
    const poorCart = await cartOf(poor)
    const res = await applyPoints(poorCart.api, poorCart.cart.id, 700)
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ code: "INSUFFICIENT_POINTS" })
    expect((await cartTotals(poorCart.api, poorCart.cart.id)).discount_total).toBe(0)
  })
})
