import { addMonths } from "../../src/domain/ledger/expiry"
import { createAdmin, createCustomer, createProduct, createRegion, placeOrder, startStore, waitFor, query } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"
import { cli, FIXTURE_STORE } from "../helpers/cli"

type Counts = { enabled: boolean; accounts_checked: number; entries_posted: number; points_expired: number }

/**
 * Points expiry on a real store (default program: 12 months, FIFO). History cannot be back-dated (the ledger is
 * append-only), so the sweep runs with a `now` in the future instead. A first order of 123.45 earns 223 points,
 * a later one 123.
 */
describe("points expiry", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  let shirt: string

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    shirt = await createProduct(admin, { title: "Shirt", price: 12345 })
  })

  afterAll(async () => {
    await store?.stop()
  })

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const entriesOf = (c: Customer) =>
    sql(`SELECT id, kind, points, balance_after, idempotency_key, created_at FROM loyalty_ledger_entry WHERE customer_id = $1 ORDER BY seq`, [c.id])
  const accountOf = async (c: Customer) => (await c.api.get("/store/customers/me/loyalty")).body.loyalty_account
  const expireAll = (now: Date): Promise<Counts> => store.container.resolve("loyaltyExpiryService").expireAll(now)
  /** Places an order and returns its accrual entry once order.placed was handled. */
  const earn = async (c: Customer) => {
    const order = await placeOrder(store, { token: c, region, items: [{ variant_id: shirt, quantity: 1 }] })
    const [accrual] = await waitFor(async () => {
      const rows = await sql(`SELECT points, created_at FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'accrual'`, [order.id])
      return rows.length ? rows : null
    }, { description: `accrual of ${order.id}` })
    return accrual as { points: number; created_at: Date }
  }
  /** A debit like a redemption, through the ledger service in-process. */
  const spend = async (c: Customer, points: number) => {
    const manager = store.container.resolve("manager")
    await manager.transaction((m: unknown) =>
      store.container.resolve("loyaltyLedgerService").withTransaction(m).post({
        customer_id: c.id,
        kind: "adjustment",
        points: -points,
        idempotency_key: `test:spend:${c.id}:${points}`,
        reason: "test debit (like a redemption)",
      })
    )
  }

  it("expires the oldest unspent points first, once per day, and the rest when they are old enough", async () => {
    const ann = await createCustomer(store)
    const first = await earn(ann) // 223
    await spend(ann, 100) // spends from the oldest points: 123 of the first order are left
    const second = await earn(ann) // 123
    // (an adjustment is a correction, so it lowers lifetime points too)
    expect(await accountOf(ann)).toMatchObject({ points_balance: 246, points_lifetime: 246 })

    // The first order's points are 12 months old, the second order's are not yet (a few seconds younger).
    const between = new Date(addMonths(second.created_at, 12).getTime() - 1)
    expect(between.getTime()).toBeGreaterThan(addMonths(first.created_at, 12).getTime())
    const run1 = await expireAll(between)
    expect(run1).toMatchObject({ enabled: true, entries_posted: 1, points_expired: 123 })
    const expiry = (await entriesOf(ann)).at(-1)
    expect(expiry).toMatchObject({
      kind: "expiry",
      points: -123,
      balance_after: 123,
      idempotency_key: `expiry:${ann.id}:${between.toISOString().slice(0, 10)}`,
    })

    expect(await expireAll(between)).toMatchObject({ entries_posted: 0, points_expired: 0 })
    expect(await entriesOf(ann)).toHaveLength(4)

    const later = addMonths(first.created_at, 13)
    expect(await expireAll(later)).toMatchObject({ entries_posted: 1, points_expired: 123 })
    expect(await expireAll(addMonths(later, 1))).toMatchObject({ entries_posted: 0, points_expired: 0 })
    expect((await entriesOf(ann)).map((e) => [e.kind, e.points, e.balance_after])).toEqual([
      ["accrual", 223, 223],
      ["adjustment", -100, 123],
      ["accrual", 123, 246],
      ["expiry", -123, 123],
      ["expiry", -123, 0],
    ])
    // Expiry never lowers lifetime points.
    expect(await accountOf(ann)).toMatchObject({ points_balance: 0, points_lifetime: 246, next_expiry: null })
  })

  it("keeps points younger than 12 months", async () => {
    const ben = await createCustomer(store)
    const earned = await earn(ben)
    await expireAll(addMonths(earned.created_at, 6))
    await expireAll(new Date(addMonths(earned.created_at, 12).getTime() - 1000))
    expect((await entriesOf(ben)).map((e) => e.kind)).toEqual(["accrual"])
    expect(await accountOf(ben)).toMatchObject({ points_balance: 223 })
  })

  it("shows the member the next points to expire and when: earn date + 12 months", async () => {
    const cat = await createCustomer(store)
    const earned = await earn(cat)
    await spend(cat, 23)
    const account = await accountOf(cat)
    expect(account).toMatchObject({ points_balance: 200, points_pending: 0 })
    expect(account.next_expiry).toEqual({ points: 200, expires_at: addMonths(earned.created_at, 12).toISOString() })
  })

  it("runs the expire job over the admin API with the server clock and answers the counts", async () => {
    const res = await admin.api.post("/admin/loyalty/jobs/expire")
    expect(res.status).toBe(200)
    expect(res.body.expiry).toEqual({ enabled: true, accounts_checked: 2, entries_posted: 0, points_expired: 0 })
    // The redemption capability voids expired codes first when installed; null when it is not.
    expect(res.body).toHaveProperty("redemptions")
    expect(res.body.redemptions === null || typeof res.body.redemptions === "object").toBe(true)

    const timeTravel = await admin.api.post("/admin/loyalty/jobs/expire", { now: "2099-01-01" })
    expect(timeTravel.status).toBe(400)
    expect(timeTravel.body.message).toContain("body")
  })

  it("expires points from the command line, run in the store directory (medusa-loyalty expire --now)", async () => {
    // Ben's 223 and Cat's 200 are all that is left unexpired; in 2099 both are older than 12 months.
    const run = await cli(["expire", "--now", "2099-01-01", "--json"], FIXTURE_STORE)
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).expiry).toEqual({ enabled: true, accounts_checked: 2, entries_posted: 2, points_expired: 423 })
    const again = await cli(["expire", "--now", "2099-01-01", "--json"], FIXTURE_STORE)
    expect(JSON.parse(again.stdout).expiry).toMatchObject({ entries_posted: 0, points_expired: 0 })
  })

  it("leaves a ledger that verifies after expiry runs", async () => {
    const res = await admin.api.get("/admin/loyalty/verify")
    expect(res.body).toMatchObject({ ok: true, problems: [] })
  })
})
