import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, startStore, waitFor, query } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

/** Admin adjustments on a real store: idempotent by header, attributed to the admin, atomic on failure. */
describe("admin adjustments", () => {
  let store: Store
  let admin: Admin
  let adminId: string

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    admin = await createAdmin(store)
    adminId = (await admin.api.get("/admin/auth")).body.user.id
  })

  afterAll(async () => {
    await store?.stop()
  })

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const adjust = (customer_id: string, body: unknown, key?: string) =>
    fetch(`${store.baseUrl}/admin/loyalty/accounts/${customer_id}/adjustments`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${admin.token}`,
        "content-type": "application/json",
        ...(key ? { "idempotency-key": key } : {}),
      },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }))
  const balanceOf = async (c: Customer) => (await c.api.get("/store/customers/me/loyalty")).body.loyalty_account

  it("credits points with a reason, recorded against the admin who made it", async () => {
    const amy = await createCustomer(store)
    const res = await adjust(amy.id, { points: 250, reason: "goodwill: late delivery" }, "adj-amy-1")
    expect(res.status).toBe(200)
    expect(res.body.entry).toMatchObject({ kind: "adjustment", points: 250, balance_after: 250, reason: "goodwill: late delivery", actor_id: adminId })
    expect(res.body.loyalty_account).toMatchObject({ customer_id: amy.id, points_balance: 250, points_lifetime: 250 })
    expect(await balanceOf(amy)).toMatchObject({ points_balance: 250 })
  })

  it("returns the same entry for the same key and body, and 422 for the same key with another body", async () => {
    const bo = await createCustomer(store)
    const first = await adjust(bo.id, { points: -40, reason: "correction" }, "adj-bo-1")
    const again = await adjust(bo.id, { points: -40, reason: "correction" }, "adj-bo-1")
    expect(again.status).toBe(200)
    expect(again.body.entry.id).toBe(first.body.entry.id)
    const conflict = await adjust(bo.id, { points: -41, reason: "correction" }, "adj-bo-1")
    expect(conflict.status).toBe(422)
    expect(conflict.body.message).toContain("adj-bo-1")
    expect(await sql(`SELECT points FROM loyalty_ledger_entry WHERE customer_id = $1`, [bo.id])).toEqual([{ points: -40 }])
    expect(await balanceOf(bo)).toMatchObject({ points_balance: -40 })
  })

  it.each([
    [{ points: 1.5, reason: "x" }, "k1", "body.points"],
    [{ points: 0, reason: "x" }, "k2", "body.points"],
    [{ points: "10", reason: "x" }, "k3", "body.points"],
    [{ points: 10 }, "k4", "body.reason"],
    [{ points: 10, reason: "  " }, "k5", "body.reason"],
    [{ points: 10, reason: "x", note: "y" }, "k6", "note"],
    [{ points: 10, reason: "x" }, undefined, "Idempotency-Key"],
    [{ points: 10, reason: "x" }, "bad key with spaces", "Idempotency-Key"],
  ])("answers 400 naming the field for %j (key %s)", async (body, key, field) => {
    const cy = await createCustomer(store)
    const res = await adjust(cy.id, body, key)
    expect(res.status).toBe(400)
    expect(res.body.message).toContain(field)
    expect(await sql(`SELECT id FROM loyalty_ledger_entry WHERE customer_id = $1`, [cy.id])).toEqual([])
  })

  it("answers 404 for an unknown customer", async () => {
    const res = await adjust("cus_nobody", { points: 10, reason: "x" }, "adj-nobody")
    expect(res.status).toBe(404)
    expect(res.body.message).toContain("cus_nobody")
  })

  it("writes nothing when the operation fails midway, and the same key works once the fault is gone", async () => {
    const dee = await createCustomer(store)
    await waitFor(async () => (await sql(`SELECT id FROM loyalty_account WHERE customer_id = $1`, [dee.id])).length > 0)
    // A real database fault after the entry is inserted: the account update is refused for this customer.
    await sql(`CREATE FUNCTION loyalty_test_fault() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END; $$ LANGUAGE plpgsql`)
    await sql(`CREATE TRIGGER loyalty_test_fault BEFORE UPDATE ON loyalty_account FOR EACH ROW WHEN (OLD.customer_id = '${dee.id}') EXECUTE FUNCTION loyalty_test_fault()`)
    try {
      const failed = await adjust(dee.id, { points: 75, reason: "promo" }, "adj-dee-1")
      expect(failed.status).toBe(500)
      expect(await sql(`SELECT id FROM loyalty_ledger_entry WHERE customer_id = $1`, [dee.id])).toEqual([])
      expect(await sql(`SELECT points_balance FROM loyalty_account WHERE customer_id = $1`, [dee.id])).toEqual([{ points_balance: 0 }])
    } finally {
      await sql(`DROP TRIGGER loyalty_test_fault ON loyalty_account`)
      await sql(`DROP FUNCTION loyalty_test_fault()`)
    }
    const retried = await adjust(dee.id, { points: 75, reason: "promo" }, "adj-dee-1")
    expect(retried.status).toBe(200)
    expect(await balanceOf(dee)).toMatchObject({ points_balance: 75 })
  })

  it("lets a clawback take the balance below zero under the default program", async () => {
    const region = await createRegion(admin)
    const shirt = await createProduct(admin, { title: "Shirt", price: 12345 })
    const eli = await createCustomer(store)
    const order = await placeOrder(store, { token: eli, region, items: [{ variant_id: shirt, quantity: 1 }] })
    await waitFor(async () => (await balanceOf(eli)).points_balance === 223)
    expect((await adjust(eli.id, { points: -200, reason: "redeemed in store" }, "adj-eli-1")).status).toBe(200)
    expectOk(await admin.api.post(`/admin/orders/${order.id}/cancel`, {}), "cancel")
    await waitFor(async () => (await balanceOf(eli)).points_balance === -200, { description: "balance -200" })
    const rows = await sql(`SELECT kind, points FROM loyalty_ledger_entry WHERE customer_id = $1 ORDER BY seq`, [eli.id])
    expect(rows).toEqual([
      { kind: "accrual", points: 223 },
      { kind: "adjustment", points: -200 },
      { kind: "reversal", points: -223 },
    ])
  })
})
