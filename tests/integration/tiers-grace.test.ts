import fs from "fs"
import os from "os"
import path from "path"
import { createAdmin, createCustomer, REPO_ROOT, startStore, waitFor, query } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

type Counts = { accounts_checked: number; upgraded: number; downgraded: number; unchanged: number }
const DAY = 24 * 60 * 60 * 1000

/**
 * The downgrade grace period on a real store whose Gold needs 5,000 points earned in the last 365 days (the default
 * ladder's other tiers and its 30-day grace). Time cannot be back-dated, so the daily run is called with a `now`
 * in the future: the window empties and the member is below Gold only through time, not through a correction.
 */
describe("tier downgrade grace", () => {
  let store: Store
  let admin: Admin
  let rulesDir: string

  beforeAll(async () => {
    rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-tiers-rules-"))
    fs.cpSync(path.join(REPO_ROOT, "rules"), rulesDir, { recursive: true })
    const file = path.join(rulesDir, "tiers.json")
    const tiers = JSON.parse(fs.readFileSync(file, "utf8"))
    tiers.tiers.find((t: any) => t.code === "gold").conditions.all[0].path = "$.points_last_365d"
    fs.writeFileSync(file, JSON.stringify(tiers, null, 2))
    store = await startStore({ pluginOptions: { rules_dir: rulesDir } })
    admin = await createAdmin(store)
  })

  afterAll(async () => {
    await store?.stop()
    fs.rmSync(rulesDir, { recursive: true, force: true })
  })

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const reevaluateAll = (now: Date): Promise<Counts> => store.container.resolve("loyaltyTierService").reevaluateAll(now)
  const accountOf = async (c: Customer) => (await sql(`SELECT tier, tier_below_since FROM loyalty_account WHERE customer_id = $1`, [c.id]))[0]
  const groupsOf = async (c: Customer) =>
    (await sql(`SELECT g.name FROM customer_group_customers cgc JOIN customer_group g ON g.id = cgc.customer_group_id WHERE cgc.customer_id = $1 AND g.name LIKE 'Loyalty: %' ORDER BY 1`, [c.id])).map((r) => r.name)

  it("keeps Gold for 30 days after the 365-day window empties, then moves the member straight to Silver", async () => {
    const ann = await createCustomer(store)
    await waitFor(async () => (await accountOf(ann))?.tier === "bronze", { description: "ann enrolled" })
    const credited = await fetch(`${store.baseUrl}/admin/loyalty/accounts/${ann.id}/adjustments`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json", "idempotency-key": "grace-ann-1" },
      body: JSON.stringify({ points: 5000, reason: "grace test" }),
    })
    expect(credited.status).toBe(200)
    expect(await accountOf(ann)).toEqual({ tier: "gold", tier_below_since: null })

    const now = Date.now()
    expect(await reevaluateAll(new Date(now))).toEqual({ accounts_checked: 1, upgraded: 0, downgraded: 0, unchanged: 1 })

    const below = new Date(now + 400 * DAY) // nothing earned in the last 365 days: qualifies for Silver only
    expect(await reevaluateAll(below)).toEqual({ accounts_checked: 1, upgraded: 0, downgraded: 0, unchanged: 1 })
    expect(await accountOf(ann)).toEqual({ tier: "gold", tier_below_since: below })
    expect(await groupsOf(ann)).toEqual(["Loyalty: Gold"])

    expect(await reevaluateAll(new Date(now + 429 * DAY))).toMatchObject({ downgraded: 0 })
    expect(await accountOf(ann)).toEqual({ tier: "gold", tier_below_since: below }) // the grace starts once

    expect(await reevaluateAll(new Date(now + 431 * DAY))).toEqual({ accounts_checked: 1, upgraded: 0, downgraded: 1, unchanged: 0 })
    expect(await accountOf(ann)).toEqual({ tier: "silver", tier_below_since: null })
    expect(await groupsOf(ann)).toEqual(["Loyalty: Silver"])
    const [last] = await sql(`SELECT from_tier, to_tier, reason FROM loyalty_tier_change WHERE customer_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, [ann.id])
    expect(last).toMatchObject({ from_tier: "gold", to_tier: "silver", reason: expect.stringContaining("grace of 30 days over") })
  })

  it("cancels the grace when the member qualifies again before it ends", async () => {
    const bo = await createCustomer(store)
    await waitFor(async () => (await accountOf(bo))?.tier === "bronze", { description: "bo enrolled" })
    await store.container.resolve("manager").transaction((m: unknown) =>
      store.container.resolve("loyaltyLedgerService").withTransaction(m).post({ customer_id: bo.id, kind: "adjustment", points: 5000, idempotency_key: "grace-bo-1", reason: "t" })
    )
    expect((await accountOf(bo)).tier).toBe("gold")
    const tierService = store.container.resolve("loyaltyTierService")
    const later = new Date(Date.now() + 400 * DAY)
    await tierService.recompute(bo.id, { reason: "reevaluation", now: later })
    expect(await accountOf(bo)).toEqual({ tier: "gold", tier_below_since: later })
    await store.container.resolve("manager").transaction((m: unknown) =>
      store.container.resolve("loyaltyLedgerService").withTransaction(m).post({ customer_id: bo.id, kind: "adjustment", points: 5000, idempotency_key: "grace-bo-2", reason: "t" })
    )
    // The posting re-evaluates as of the real clock, where the member qualifies for Gold: the grace is cancelled.
    expect(await accountOf(bo)).toEqual({ tier: "gold", tier_below_since: null })
  })
})
