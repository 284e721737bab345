import fs from "fs"
import path from "path"
import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, query, REPO_ROOT, startStore, waitFor } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

/**
 * The campaigns example program backtested over a seeded history on a real store running the shipped rules: orders
 * placed at chosen times (a test trigger sets the order's created_at as it is inserted, so the live accrual and its
 * stored facts see that placement time), then POST /admin/loyalty/rules/backtest with examples/rulebooks/campaigns.
 */
describe("backtest of the campaigns example", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  let shirt: string

  const placeAt = async (customer: Customer, at: string) => {
    await query(store.databaseUrl, `DELETE FROM test_order_clock`)
    await query(store.databaseUrl, `INSERT INTO test_order_clock (at) VALUES ($1)`, [at])
    const order = await placeOrder(store, { token: customer, region, items: [{ variant_id: shirt, quantity: 1 }] })
    await waitFor(async () => (await query(store.databaseUrl, `SELECT 1 FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'accrual'`, [order.id])).length === 1 || null, { timeoutMs: 120_000, description: `accrual of ${order.id}` })
    return order
  }
  const livePoints = async (customer_id: string) =>
    (await query(store.databaseUrl, `SELECT coalesce(sum(points + pending_delta), 0)::int AS p FROM loyalty_ledger_entry WHERE customer_id = $1 AND kind = 'accrual'`, [customer_id]))[0].p as number

  beforeAll(async () => {
    store = await startStore({ pluginOptions: { auto_enroll: true } })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    shirt = await createProduct(admin, { title: "Shirt", price: 10000 })
    await query(store.databaseUrl, `CREATE TABLE test_order_clock (at timestamptz NOT NULL)`)
    await query(store.databaseUrl, `
      CREATE FUNCTION test_order_clock() RETURNS trigger AS $$
      BEGIN
        NEW.created_at := coalesce((SELECT at FROM test_order_clock LIMIT 1), NEW.created_at);
        RETURN NEW;
      END;
      $$ LANGUAGE plpgsql`)
    await query(store.databaseUrl, `CREATE TRIGGER test_order_clock BEFORE INSERT ON "order" FOR EACH ROW EXECUTE FUNCTION test_order_clock()`)
  })

  afterAll(async () => {
    await store?.stop()
  })

  it("a backtest of the example campaign program over a seeded history reports the liability delta per member", async () => {
    const ann = await createCustomer(store)
    const bob = await createCustomer(store)
    const carl = await createCustomer(store)
    const dana = await createCustomer(store)
    // 100.00 USD each. Ann: two orders on Black Friday 2026 (New York); Bob: Sunday afternoon in New York; Carl: a
    // Monday; Dana: Monday 03:00Z, which is Sunday 22:00 in New York.
    await placeAt(ann, "2026-11-27T15:00:00Z")
    await placeAt(ann, "2026-11-27T16:00:00Z")
    await placeAt(bob, "2026-11-22T18:00:00Z")
    await placeAt(carl, "2026-11-23T18:00:00Z")
    await placeAt(dana, "2026-11-23T03:00:00Z")

    // The candidate: 1 point per unit, x2 on Black Friday, x3 on Sundays (store time), no first-order bonus.
    const expected: Record<string, number> = { [ann.id]: 200 + 200, [bob.id]: 300, [carl.id]: 100, [dana.id]: 300 }
    const current: Record<string, number> = {}
    for (const c of [ann, bob, carl, dana]) current[c.id] = await livePoints(c.id)

    const dir = path.join(REPO_ROOT, "examples", "rulebooks", "campaigns")
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).map((name) => ({ name, content: fs.readFileSync(path.join(dir, name), "utf8") }))
    const report = expectOk(await admin.api.post("/admin/loyalty/rules/backtest", { files }), "POST /admin/loyalty/rules/backtest")

    expect(report).toMatchObject({ orders_evaluated: 5, orders_skipped: 0, live_rulebook_version: expect.any(String) })
    const members = [ann, bob, carl, dana].map((c) => report.members.find((m: { customer_id: string }) => m.customer_id === c.id))
    for (const [i, c] of [ann, bob, carl, dana].entries()) {
      expect(members[i]).toMatchObject({
        customer_id: c.id, current_points: current[c.id], candidate_points: expected[c.id], delta_points: expected[c.id] - current[c.id],
      })
    }
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0)
    expect(report).toMatchObject({ current_points: sum(current), candidate_points: sum(expected), liability_delta_points: sum(expected) - sum(current) })
    // Nothing was written by the backtest.
    expect(await query(store.databaseUrl, `SELECT count(*)::int AS n FROM loyalty_ledger_entry WHERE kind = 'accrual'`)).toEqual([{ n: 5 }])
  })
})
