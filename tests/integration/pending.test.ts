import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, rulesDirWithProgram, startStore, orderEntries, waitForOrderEntries } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

type Counts = { orders_checked: number; awards_checked: number; entries_posted: number; points_activated: number }
const DAY = 24 * 60 * 60 * 1000

/**
 * Pending points on a real store whose program says `pending_days: 14`: an order's points wait in points_pending
 * until everything in it has gone out (fulfilled) and 14 days have passed; a cancel or refund meanwhile takes
 * them out of pending, never out of the balance. A first order of 123.45 (+10.00 shipping) earns 223 points.
 */
describe("pending points", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  let shirt: string
  const rules = rulesDirWithProgram({ pending_days: 14 })

  beforeAll(async () => {
    store = await startStore({ pluginOptions: { rules_dir: rules.dir } })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    shirt = await createProduct(admin, { title: "Shirt", price: 12345 })
  })

  afterAll(async () => {
    await store?.stop()
    rules.remove()
  })

  const entriesOf = (order_id: string) => orderEntries(store, order_id)
  const waitForEntries = (order_id: string, n: number) => waitForOrderEntries(store, order_id, n)
  const accountOf = async (c: Customer) => (await c.api.get("/store/customers/me/loyalty")).body.loyalty_account
  const activateDue = (now: Date): Promise<Counts> => store.container.resolve("loyaltyActivationService").activateDue(now)
  const adminPost = async (p: string, body: unknown = {}) => expectOk(await admin.api.post(p, body), `POST ${p}`)
  const order = async (c: Customer) => {
    const placed = await placeOrder(store, { token: c, region, items: [{ variant_id: shirt, quantity: 1 }] })
    await waitForEntries(placed.id, 1)
    return placed
  }
  const fulfill = (o: { id: string; items: Array<{ id: string }> }) =>
    adminPost(`/admin/orders/${o.id}/fulfillment`, { items: [{ item_id: o.items[0].id, quantity: 1 }] })

  it("holds an order's points as pending until it is fulfilled and 14 days have passed, then makes them available", async () => {
    const ann = await createCustomer(store)
    const placed = await order(ann)
    expect(await entriesOf(placed.id)).toEqual([{ kind: "accrual", points: 0, pending_delta: 223, balance_after: 0, pending_after: 223 }])
    expect(await accountOf(ann)).toMatchObject({ points_balance: 0, points_pending: 223, points_lifetime: 0, next_expiry: null })

    // Not fulfilled yet: nothing activates, however late.
    await activateDue(new Date(Date.now() + 30 * DAY))
    expect(await entriesOf(placed.id)).toHaveLength(1)

    await fulfill(placed)
    await activateDue(new Date())
    await activateDue(new Date(Date.now() + 13 * DAY))
    expect(await entriesOf(placed.id)).toHaveLength(1)

    const counts = await activateDue(new Date(Date.now() + 15 * DAY))
    expect(counts).toEqual({ orders_checked: 1, awards_checked: 0, entries_posted: 1, points_activated: 223 })
    expect((await entriesOf(placed.id))[1]).toEqual({ kind: "activation", points: 223, pending_delta: -223, balance_after: 223, pending_after: 0 })
    expect(await accountOf(ann)).toMatchObject({ points_balance: 223, points_pending: 0, points_lifetime: 223 })

    expect(await activateDue(new Date(Date.now() + 16 * DAY))).toEqual({ orders_checked: 0, awards_checked: 0, entries_posted: 0, points_activated: 0 })
  })

  it("takes a canceled order's points out of pending without touching the balance", async () => {
    const ben = await createCustomer(store)
    const placed = await order(ben)
    await adminPost(`/admin/orders/${placed.id}/cancel`)
    const rows = await waitForEntries(placed.id, 2)
    expect(rows[1]).toEqual({ kind: "reversal", points: 0, pending_delta: -223, balance_after: 0, pending_after: 0 })
    expect(await accountOf(ben)).toMatchObject({ points_balance: 0, points_pending: 0, points_lifetime: 0 })

    await activateDue(new Date(Date.now() + 30 * DAY))
    expect(await entriesOf(placed.id)).toHaveLength(2)
  })

  it("activates only what a partial refund left pending", async () => {
    const cat = await createCustomer(store)
    const placed = await order(cat)
    await adminPost(`/admin/orders/${placed.id}/capture`)
    await adminPost(`/admin/orders/${placed.id}/refund`, { amount: 5000, reason: "other" })
    // floor(223 × 5000 / 13345) = 83 leave pending, 140 stay pending
    expect((await waitForEntries(placed.id, 2))[1]).toEqual({ kind: "clawback", points: 0, pending_delta: -83, balance_after: 0, pending_after: 140 })

    await fulfill(placed)
    await activateDue(new Date(Date.now() + 15 * DAY))
    expect((await entriesOf(placed.id))[2]).toEqual({ kind: "activation", points: 140, pending_delta: -140, balance_after: 140, pending_after: 0 })
    expect(await accountOf(cat)).toMatchObject({ points_balance: 140, points_pending: 0, points_lifetime: 140 })
  })

  it("runs the activation job over the admin API with the server clock and answers the counts", async () => {
    const dan = await createCustomer(store)
    const placed = await order(dan)
    await fulfill(placed)
    const res = await admin.api.post("/admin/loyalty/jobs/activate")
    expect(res.status).toBe(200)
    // Fulfilled just now: the 14 days are not over.
    expect(res.body).toEqual({ activation: { orders_checked: 1, awards_checked: 0, entries_posted: 0, points_activated: 0 } })
    expect(await accountOf(dan)).toMatchObject({ points_balance: 0, points_pending: 223 })
  })

  it("leaves a ledger that verifies with pending points", async () => {
    const res = await admin.api.get("/admin/loyalty/verify")
    expect(res.body).toMatchObject({ ok: true, accounts_checked: 4, problems: [] })
  })
})
