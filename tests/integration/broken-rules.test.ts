import fs from "fs"
import os from "os"
import path from "path"
import { createAdmin, createCustomer, createProduct, createRegion, placeOrder, query, startStore } from "../helpers/harness"
import type { Store } from "../helpers/harness"

/** A marketer's typo must never break the store nor award points from a half-read rulebook. */
describe("a store whose rule file has a typo", () => {
  let store: Store
  let rulesDir: string

  beforeAll(async () => {
    rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-broken-rules-"))
    const good = JSON.parse(fs.readFileSync(path.join(__dirname, "../../rules/accrual.json"), "utf8"))
    good.rules[0].conditions.all[0].operator = "equals" // not a json-rules-engine operator
    fs.writeFileSync(path.join(rulesDir, "accrual.json"), JSON.stringify(good, null, 2))
    store = await startStore({ pluginOptions: { rules_dir: rulesDir } })
  })

  afterAll(async () => {
    await store?.stop()
    fs.rmSync(rulesDir, { recursive: true, force: true })
  })

  it("still boots, takes orders and serves balances, awarding nothing and explaining why", async () => {
    const admin = await createAdmin(store)
    const region = await createRegion(admin)
    const variant = await createProduct(admin, { title: "Cap", price: 5000 })
    const lena = await createCustomer(store)
    const order = await placeOrder(store, { token: lena, region, items: [{ variant_id: variant, quantity: 1 }] })
    expect(order.status).toBe("pending")

    const handler = require("../../dist/subscribers/order-placed-accrue").default
    const failure = await handler({ data: { id: order.id }, eventName: "order.placed", container: store.container, pluginOptions: {} })
      .then(() => null, (e: unknown) => e)
    expect(failure).toMatchObject({ name: "LoyaltyError", code: "RULES_UNAVAILABLE" })
    expect((failure as Error).message).toContain("accrual.json")
    expect((failure as Error).message).toContain("/rules/0/conditions/all/0/operator")

    const me = await lena.api.get("/store/customers/me/loyalty")
    expect(me.status).toBe(200)
    expect(me.body.loyalty_account).toMatchObject({ points_balance: 0 })
    const rows = await query(store.databaseUrl, `SELECT count(*)::int AS n FROM loyalty_ledger_entry`)
    expect(rows[0].n).toBe(0)
  })
})
