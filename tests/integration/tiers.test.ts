import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, startStore, waitFor, query } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

/**
 * Tiers on a real store with the default ladder (lifetime points: Bronze for every member, Silver from 1,000, Gold
 * from 5,000, Platinum from 20,000; 30-day grace for downgrades) enforced by Medusa customer groups.
 */
describe("tiers", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  let tee: string
  let coat: string

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    tee = await createProduct(admin, { title: "Tee", price: 2999 })
    coat = await createProduct(admin, { title: "Coat", price: 99999 })
  })

  afterAll(async () => {
    await store?.stop()
  })

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const adjust = (customer_id: string, points: number, key: string) =>
    fetch(`${store.baseUrl}/admin/loyalty/accounts/${customer_id}/adjustments`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json", "idempotency-key": key },
      body: JSON.stringify({ points, reason: "tiers test" }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }))
  const me = async (c: Customer) => expectOk(await c.api.get("/store/customers/me/loyalty"), "GET me/loyalty").loyalty_account
  /** Names of the customer's tier groups ("Loyalty: <tier>"; promotions keep their own groups), from Medusa's admin API. */
  const groupsOf = async (c: Customer): Promise<string[]> =>
    expectOk(await admin.api.get(`/admin/customers/${c.id}?expand=groups`), "GET customer")
      .customer.groups.map((g: any) => g.name)
      .filter((name: string) => name.startsWith("Loyalty: "))
      .sort()
  const changesOf = (c: Customer) =>
    sql(`SELECT from_tier, to_tier, reason, rulebook_version FROM loyalty_tier_change WHERE customer_id = $1 ORDER BY created_at, id`, [c.id])
  const member = async () => {
    const c = await createCustomer(store)
    await waitFor(async () => (await sql(`SELECT tier FROM loyalty_account WHERE customer_id = $1`, [c.id]))[0]?.tier, { description: `account of ${c.id}` })
    return c
  }
  const accrualOf = (order_id: string) =>
    waitFor(async () => (await sql(`SELECT points, rule_names FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'accrual'`, [order_id]))[0], {
      description: `accrual of ${order_id}`,
    })

  it("makes a new member Bronze, in the Loyalty: Bronze group, 1,000 points from Silver", async () => {
    const ann = await member()
    const account = await me(ann)
    expect(account.tier).toEqual({ code: "bronze", name: "Bronze" })
    expect(account.next_tier).toEqual({ code: "silver", name: "Silver", threshold: 1000, points_needed: 1000 })
    expect(await groupsOf(ann)).toEqual(["Loyalty: Bronze"])
    expect(await changesOf(ann)).toEqual([{ from_tier: null, to_tier: "bronze", reason: expect.stringContaining("enrolled"), rulebook_version: expect.any(String) }])
  })

  it("upgrades to Silver at once on reaching 1,000 lifetime points: account, group, history and next tier", async () => {
    const bo = await member()
    expect((await adjust(bo.id, 999, "tiers-bo-1")).body.loyalty_account.tier).toEqual({ code: "bronze", name: "Bronze" })
    const res = await adjust(bo.id, 1, "tiers-bo-2")
    expect(res.status).toBe(200)
    expect(res.body.loyalty_account).toMatchObject({ points_lifetime: 1000, tier: { code: "silver", name: "Silver" } })
    expect(await me(bo)).toMatchObject({ tier: { code: "silver", name: "Silver" }, next_tier: { code: "gold", name: "Gold", threshold: 5000, points_needed: 4000 } })
    expect(await groupsOf(bo)).toEqual(["Loyalty: Silver"])
    const changes = await changesOf(bo)
    expect(changes.map((c) => [c.from_tier, c.to_tier])).toEqual([[null, "bronze"], ["bronze", "silver"]])
    expect(changes[1].reason).toContain("adjustment")
  })

  it("applies the Silver multiplier to the next order after the upgrade", async () => {
    const cy = await member()
    await adjust(cy.id, 1000, "tiers-cy-1")
    const order = await placeOrder(store, { token: cy, region, items: [{ variant_id: tee, quantity: 1 }] })
    // 29.99 → 29 amount points × 1.25 = 36.25 → 36, plus the 100-point first-order bonus.
    expect(await accrualOf(order.id)).toEqual({ points: 136, rule_names: ["base-earn", "first-order-bonus", "silver-multiplier"] })
  })

  it("demotes at once when a negative adjustment takes the points below the threshold (no grace for corrections)", async () => {
    const dee = await member()
    await adjust(dee.id, 1000, "tiers-dee-1")
    expect(await groupsOf(dee)).toEqual(["Loyalty: Silver"])
    const res = await adjust(dee.id, -1, "tiers-dee-2")
    expect(res.body.loyalty_account).toMatchObject({ points_lifetime: 999, tier: { code: "bronze", name: "Bronze" } })
    expect(await groupsOf(dee)).toEqual(["Loyalty: Bronze"])
    expect((await changesOf(dee)).map((c) => [c.from_tier, c.to_tier])).toEqual([[null, "bronze"], ["bronze", "silver"], ["silver", "bronze"]])
    expect((await sql(`SELECT tier_below_since FROM loyalty_account WHERE customer_id = $1`, [dee.id]))[0].tier_below_since).toBeNull()
  })

  it("upgrades on a real order and demotes at once when the order is canceled", async () => {
    const eli = await member()
    const order = await placeOrder(store, { token: eli, region, items: [{ variant_id: coat, quantity: 1 }] })
    expect(await accrualOf(order.id)).toMatchObject({ points: 1099 }) // 999 + 100 first-order bonus
    expect(await me(eli)).toMatchObject({ tier: { code: "silver" }, next_tier: { code: "gold", points_needed: 3901 } })
    expect(await groupsOf(eli)).toEqual(["Loyalty: Silver"])
    expectOk(await admin.api.post(`/admin/orders/${order.id}/cancel`, {}), "cancel")
    await waitFor(async () => (await me(eli)).tier.code === "bronze", { description: "demoted to bronze" })
    expect(await groupsOf(eli)).toEqual(["Loyalty: Bronze"])
    expect((await changesOf(eli)).at(-1)).toMatchObject({ from_tier: "silver", to_tier: "bronze", reason: expect.stringContaining("reversal") })
  })

  it("gives members from before the tiers their tier and group with POST /admin/loyalty/jobs/tiers, and a second run changes nothing", async () => {
    const fay = await member()
    await adjust(fay.id, 5000, "tiers-fay-1")
    // As if enrolled before tiers existed: no tier, no group.
    await sql(`UPDATE loyalty_account SET tier = NULL, tier_below_since = NULL WHERE customer_id = $1`, [fay.id])
    await sql(`DELETE FROM customer_group_customers WHERE customer_id = $1`, [fay.id])
    expect(await groupsOf(fay)).toEqual([])
    const first = expectOk(await admin.api.post("/admin/loyalty/jobs/tiers", {}), "tiers job").tiers
    expect(first.upgraded).toBeGreaterThanOrEqual(1)
    expect(first.accounts_checked).toBe(first.upgraded + first.downgraded + first.unchanged)
    expect(await me(fay)).toMatchObject({ tier: { code: "gold", name: "Gold" } })
    expect(await groupsOf(fay)).toEqual(["Loyalty: Gold"])
    const second = expectOk(await admin.api.post("/admin/loyalty/jobs/tiers", {}), "tiers job").tiers
    expect(second).toEqual({ accounts_checked: first.accounts_checked, upgraded: 0, downgraded: 0, unchanged: first.accounts_checked })
  })

  it("publishes the ladder at GET /store/loyalty/tiers without authentication", async () => {
    const res = await fetch(`${store.baseUrl}/store/loyalty/tiers`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      tiers: [
        { code: "bronze", name: "Bronze", rank: 0, threshold: null },
        { code: "silver", name: "Silver", rank: 1, threshold: 1000 },
        { code: "gold", name: "Gold", rank: 2, threshold: 5000 },
        { code: "platinum", name: "Platinum", rank: 3, threshold: 20000 },
      ],
    })
  })

  it("lists tiers for admins with their customer group and member count", async () => {
    const { tiers } = expectOk(await admin.api.get("/admin/loyalty/tiers"), "GET admin tiers")
    const counts = new Map((await sql(`SELECT tier, count(*)::int AS n FROM loyalty_account GROUP BY tier`)).map((r) => [r.tier, r.n]))
    const groups = new Map((await sql(`SELECT name, id FROM customer_group WHERE deleted_at IS NULL`)).map((r) => [r.name, r.id]))
    expect(tiers.map((t: any) => t.code)).toEqual(["bronze", "silver", "gold", "platinum"])
    for (const t of tiers) {
      expect(t).toEqual({ code: t.code, name: t.name, rank: t.rank, threshold: t.threshold, customer_group_id: groups.get(`Loyalty: ${t.name}`), member_count: counts.get(t.code) ?? 0 })
    }
    expect(tiers.find((t: any) => t.code === "gold").member_count).toBeGreaterThanOrEqual(1)
    const [{ n }] = await sql(`SELECT count(*)::int AS n FROM customer_group_customers WHERE customer_group_id = $1`, [tiers[0].customer_group_id])
    expect(n).toBe(tiers[0].member_count) // group membership follows the tier exactly
  })

  it("filters admin accounts by tier and answers 400 naming query.tier for an unknown tier", async () => {
    const gus = await member()
    await adjust(gus.id, 5000, "tiers-gus-1")
    const { loyalty_accounts, count } = expectOk(await admin.api.get("/admin/loyalty/accounts?tier=gold&limit=100"), "GET accounts?tier=gold")
    expect(loyalty_accounts.map((a: any) => a.customer_id)).toContain(gus.id)
    expect(loyalty_accounts.every((a: any) => a.tier.code === "gold")).toBe(true)
    expect(count).toBe((await sql(`SELECT count(*)::int AS n FROM loyalty_account WHERE tier = 'gold'`))[0].n)
    const bad = await admin.api.get("/admin/loyalty/accounts?tier=gld")
    expect(bad.status).toBe(400)
    expect(bad.body.message).toContain("query.tier")
    expect(bad.body.message).toContain("did you mean 'gold'")
  })
})
