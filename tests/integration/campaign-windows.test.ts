import fs from "fs"
import os from "os"
import path from "path"
import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, query, startStore, waitFor } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

/**
 * Campaign windows and store-local time on a real store. Medusa's event enqueuer is held while the orders are
 * placed, so their order.placed events are handled only after the window has closed: the order's own placed time
 * decides. The Sunday orders get a placed time on a chosen day by SQL (Medusa's clock cannot be moved), still with
 * their events held, so the accrual reads them as it would a late event.
 */
describe("campaign windows and store-local time facts", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  let variant: string
  let ann: Customer
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-campaigns-"))

  const writeRules = (rules: unknown[]) => {
    fs.writeFileSync(path.join(dir, "accrual.json"), JSON.stringify({ kind: "accrual", rules }, null, 2))
    fs.writeFileSync(path.join(dir, "program.json"), JSON.stringify({ kind: "program", timezone: "America/New_York" }, null, 2))
  }
  const base = { name: "base-earn", conditions: { all: [] }, event: { type: "points_per_amount", params: { points: 1, per_minor: 100 } } }
  const accrualOf = async (order_id: string) =>
    waitFor(async () => (await query(store.databaseUrl, `SELECT points, rule_names FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'accrual'`, [order_id]))[0], { timeoutMs: 120_000, description: `accrual of ${order_id}` })

  beforeAll(async () => {
    writeRules([base])
    store = await startStore({ pluginOptions: { rules_dir: dir } })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    variant = await createProduct(admin, { title: "Shirt", price: 5000 })
    ann = await createCustomer(store)
  })

  afterAll(async () => {
    await store?.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("an order placed just inside a window earns the campaign even when its event is handled after the window closed; one placed just after does not", async () => {
    const bus = store.container.resolve("eventBusService")
    await bus.stopEnqueuer()
    const inside = await placeOrder(store, { token: ann, region, items: [{ variant_id: variant, quantity: 1 }] })
    const [{ created_at }] = await query(store.databaseUrl, `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at FROM "order" WHERE id = $1`, [inside.id])
    const placed = Date.parse(created_at)
    // The window closes one millisecond after the first order was placed.
    const ends_at = new Date(placed + 1).toISOString()
    const outside = await placeOrder(store, { token: ann, region, items: [{ variant_id: variant, quantity: 1 }] })
    writeRules([base, { name: "flash-double", starts_at: new Date(placed - 3_600_000).toISOString(), ends_at, conditions: { all: [] }, event: { type: "multiplier", params: { factor: 2 } } }])
    expectOk(await admin.api.post("/admin/loyalty/rules/reload"), "POST /admin/loyalty/rules/reload")
    // Now the window is closed; only now are the order.placed events delivered.
    await new Promise((r) => setTimeout(r, 50))
    expect(Date.now()).toBeGreaterThan(placed + 1)
    bus.startEnqueuer()
    expect(await accrualOf(inside.id)).toEqual({ points: 100, rule_names: ["base-earn", "flash-double"] })
    expect(await accrualOf(outside.id)).toEqual({ points: 50, rule_names: ["base-earn"] })
  })

  it("the Sunday rule follows the store's time zone (America/New_York): Monday 03:00 UTC is Sunday evening there, Sunday 03:00 UTC is Saturday", async () => {
    writeRules([base, {
      name: "sunday-triple",
      conditions: { all: [{ fact: "order", path: "$.local_weekday", operator: "equal", value: "sunday" }] },
      event: { type: "multiplier", params: { factor: 3 } },
    }])
    expectOk(await admin.api.post("/admin/loyalty/rules/reload"), "POST /admin/loyalty/rules/reload")
    const bus = store.container.resolve("eventBusService")
    await bus.stopEnqueuer()
    const sundayEvening = await placeOrder(store, { token: ann, region, items: [{ variant_id: variant, quantity: 1 }] })
    const saturdayNight = await placeOrder(store, { token: ann, region, items: [{ variant_id: variant, quantity: 1 }] })
    await query(store.databaseUrl, `UPDATE "order" SET created_at = '2026-11-30T03:00:00Z' WHERE id = $1`, [sundayEvening.id])
    await query(store.databaseUrl, `UPDATE "order" SET created_at = '2026-11-29T03:00:00Z' WHERE id = $1`, [saturdayNight.id])
    bus.startEnqueuer()
    expect(await accrualOf(sundayEvening.id)).toEqual({ points: 150, rule_names: ["base-earn", "sunday-triple"] })
    expect(await accrualOf(saturdayNight.id)).toEqual({ points: 50, rule_names: ["base-earn"] })
    const explained = expectOk(await admin.api.get(`/admin/loyalty/entries/${(await query(store.databaseUrl, `SELECT id FROM loyalty_ledger_entry WHERE order_id = $1`, [sundayEvening.id]))[0].id}/explain`), "GET explain")
    expect(JSON.stringify(explained)).toContain("sunday-triple")
  })
})

