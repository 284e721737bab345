import fs from "fs"
import os from "os"
import path from "path"
import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, query, startStore, waitFor, settleEvents } from "../helpers/harness"
import type { Store } from "../helpers/harness"

/**
 * A program with `"negative_balance": "stop_at_zero"`: clawbacks stop at zero, debits that would overdraw are
 * refused. The store also runs with `auto_enroll: false`: accounts open on first need, not at registration.
 */
describe("a program whose balances stop at zero", () => {
  let store: Store
  let rulesDir: string

  beforeAll(async () => {
    rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-stop-at-zero-"))
    const shipped = path.join(__dirname, "../../rules")
    fs.copyFileSync(path.join(shipped, "accrual.json"), path.join(rulesDir, "accrual.json"))
    const program = JSON.parse(fs.readFileSync(path.join(shipped, "program.json"), "utf8"))
    delete program.$schema
    fs.writeFileSync(path.join(rulesDir, "program.json"), JSON.stringify({ ...program, negative_balance: "stop_at_zero" }))
    store = await startStore({ pluginOptions: { rules_dir: rulesDir, auto_enroll: false } })
  })

  afterAll(async () => {
    await store?.stop()
    fs.rmSync(rulesDir, { recursive: true, force: true })
  })

  it("opens the account at the first order (auto_enroll off), stops a cancel's clawback at zero and refuses an adjustment that would overdraw", async () => {
    const admin = await createAdmin(store)
    const region = await createRegion(admin)
    const shirt = await createProduct(admin, { title: "Shirt", price: 12345 })
    const fin = await createCustomer(store)
    await settleEvents() // customer.created has been delivered by now
    expect(await query(store.databaseUrl, `SELECT id FROM loyalty_account WHERE customer_id = $1`, [fin.id])).toEqual([])
    const order = await placeOrder(store, { token: fin, region, items: [{ variant_id: shirt, quantity: 1 }] })
    const balance = async () => {
      const res = await fin.api.get("/store/customers/me/loyalty")
      if (res.status !== 200) throw new Error(`GET /store/customers/me/loyalty answered ${res.status}: ${JSON.stringify(res.body)}`)
      return res.body.loyalty_account.points_balance
    }
    await waitFor(async () => (await balance()) === 223)

    const post = (points: number, key: string) =>
      fetch(`${store.baseUrl}/admin/loyalty/accounts/${fin.id}/adjustments`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json", "idempotency-key": key },
        body: JSON.stringify({ points, reason: "spent at the till" }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }))
    expect((await post(-200, "fin-1")).status).toBe(200)
    const refused = await post(-50, "fin-2")
    expect(refused.status).toBe(400)
    expect(refused.body.code).toBe("INSUFFICIENT_POINTS")

    expectOk(await admin.api.post(`/admin/orders/${order.id}/cancel`, {}), "cancel")
    await waitFor(async () => (await balance()) === 0, { description: "balance 0" })
    const { body } = await fin.api.get("/store/customers/me/loyalty/entries")
    expect(body.entries[0]).toMatchObject({ kind: "reversal", points: -23, balance_after: 0 })
  })
})
