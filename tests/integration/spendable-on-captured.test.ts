import {
  createAdmin,
  createCustomer,
  createProduct,
  createRegion,
  expectOk,
  placeOrder,
  query,
  redeemPoints,
  rulesDirWithProgram,
  startStore,
  orderEntries,
  waitForOrderEntries,
} from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

const DAY = 24 * 60 * 60 * 1000

/**
 * A program with `"spendable_on": "captured"` on a real store: checkouts authorize the payment (manual provider),
 * and an order's points stay pending until an admin captures it. A first order of 500.00 (+10.00 shipping) earns
 * 500 + 100 = 600 points; redemptions start at 500.
 */
describe("points spendable once the payment is captured", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  let tv: string
  const rules = rulesDirWithProgram({ spendable_on: "captured" })

  beforeAll(async () => {
    store = await startStore({ pluginOptions: { rules_dir: rules.dir } })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    tv = await createProduct(admin, { title: "TV", price: 50000 })
  })

  afterAll(async () => {
    await store?.stop()
    rules.remove()
  })

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const entriesOf = (order_id: string) => orderEntries(store, order_id)
  const waitForEntries = (order_id: string, n: number) => waitForOrderEntries(store, order_id, n)
  const accountOf = async (c: Customer) => expectOk(await c.api.get("/store/customers/me/loyalty"), "GET loyalty").loyalty_account
  const redeem500 = (c: Customer) => redeemPoints(store, c, { points: 500, region_id: region.id })
  const adminPost = async (p: string, body: unknown = {}) => expectOk(await admin.api.post(p, body), `POST ${p}`)
  const placeTv = (c: Customer) => placeOrder(store, { token: c, region, items: [{ variant_id: tv, quantity: 1 }] })
  /** Runs `work` with Medusa's enqueuer held, then deletes the staged jobs of `lost` events and releases the rest. */
  const losing = async (lost: string[], work: () => Promise<void>): Promise<string[]> => {
    const bus = store.container.resolve("eventBusService")
    await bus.stopEnqueuer()
    try {
      await work()
      return (await sql(`DELETE FROM staged_job WHERE event_name = ANY($1) RETURNING event_name`, [lost])).map((r) => r.event_name)
    } finally {
      bus.startEnqueuer()
    }
  }

  it("keeps an authorized order's points pending and unredeemable until its payment is captured, then makes them spendable", async () => {
    const ann = await createCustomer(store)
    const placed = await placeTv(ann)
    expect(await waitForEntries(placed.id, 1)).toEqual([{ kind: "accrual", points: 0, pending_delta: 600, balance_after: 0, pending_after: 600 }])
    expect(await accountOf(ann)).toMatchObject({ points_balance: 0, points_pending: 600, points_lifetime: 0 })

    const refused = await redeem500(ann)
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({ code: "INSUFFICIENT_POINTS", message: expect.stringMatching(/500 requested, 0 available/) })
    // No capture, no activation, however late the job runs.
    const job = await store.container.resolve("loyaltyActivationService").activateDue(new Date(Date.now() + 400 * DAY))
    expect(job).toEqual({ orders_checked: 1, awards_checked: 0, entries_posted: 0, points_activated: 0 })

    await adminPost(`/admin/orders/${placed.id}/capture`)
    const rows = await waitForEntries(placed.id, 2)
    expect(rows[1]).toEqual({ kind: "activation", points: 600, pending_delta: -600, balance_after: 600, pending_after: 0 })
    expect(await accountOf(ann)).toMatchObject({ points_balance: 600, points_pending: 0, points_lifetime: 600 })
    const [activation] = await sql(`SELECT reason, details FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'activation'`, [placed.id])
    expect(activation).toMatchObject({ reason: "payment captured", details: { spendable_on: "captured", pending_days: 0 } })

    const spent = await redeem500(ann)
    expect(spent.status).toBe(201)
    expect(await accountOf(ann)).toMatchObject({ points_balance: 100 })
  })

  it("activates a captured order whose order.payment_captured was lost when the activation job runs", async () => {
    const ben = await createCustomer(store)
    const placed = await placeTv(ben)
    await waitForEntries(placed.id, 1)
    const dropped = await losing(["order.payment_captured"], async () => {
      await adminPost(`/admin/orders/${placed.id}/capture`)
    })
    expect(dropped).toEqual(["order.payment_captured"])
    expect(await entriesOf(placed.id)).toHaveLength(1)

    const res = await admin.api.post("/admin/loyalty/jobs/activate")
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ activation: { orders_checked: 1, awards_checked: 0, entries_posted: 1, points_activated: 600 } })
    expect(await accountOf(ben)).toMatchObject({ points_balance: 600, points_pending: 0 })
  })

  it("awards an order captured before its accrual is written as spendable at once", async () => {
    const cat = await createCustomer(store)
    let order_id = ""
    // order.placed is delivered only after the capture, and the capture's own event is lost: the accrual alone
    // must see that the payment is captured.
    await losing(["order.payment_captured"], async () => {
      order_id = (await placeTv(cat)).id
      await adminPost(`/admin/orders/${order_id}/capture`)
    })
    expect(await waitForEntries(order_id, 1)).toEqual([{ kind: "accrual", points: 600, pending_delta: 0, balance_after: 600, pending_after: 0 }])
    expect(await accountOf(cat)).toMatchObject({ points_balance: 600, points_pending: 0, points_lifetime: 600 })
  })

  it("takes a canceled uncaptured order's points out of pending without touching the balance", async () => {
    const dan = await createCustomer(store)
    const placed = await placeTv(dan)
    await waitForEntries(placed.id, 1)
    await adminPost(`/admin/orders/${placed.id}/cancel`)
    expect((await waitForEntries(placed.id, 2))[1]).toEqual({ kind: "reversal", points: 0, pending_delta: -600, balance_after: 0, pending_after: 0 })
    expect(await accountOf(dan)).toMatchObject({ points_balance: 0, points_pending: 0, points_lifetime: 0 })
    expect(await store.container.resolve("loyaltyActivationService").activateDue(new Date(Date.now() + 400 * DAY))).toEqual({ orders_checked: 0, awards_checked: 0, entries_posted: 0, points_activated: 0 })
  })

  it("leaves a ledger that verifies", async () => {
    const res = await admin.api.get("/admin/loyalty/verify")
    expect(res.body).toMatchObject({ ok: true, problems: [] })
  })
})
