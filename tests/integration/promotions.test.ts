import fs from "fs"
import path from "path"
import { compileRulebook, type Rulebook } from "../../src/domain/rules/rulebook"
import { api, createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, query, REPO_ROOT, startStore, waitFor } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

const CODES = ["GOLD15", "MEMBER5", "PLATINUM20", "SILVER10"]

/**
 * Member promotions on a real store: the plugin reconciles one Medusa discount per promotion, restricted to a
 * customer group whose members are exactly the eligible members, so Medusa's own checkout enforces eligibility.
 */
describe("member promotions", () => {
  let store: Store
  let admin: Admin
  let region: any
  let shirt: string

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    shirt = await createProduct(admin, { title: "Shirt", price: 10000 })
  })

  afterAll(async () => {
    await store?.stop()
  })

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  let keys = 0
  const adjust = async (c: Customer, points: number) => {
    const res = await fetch(`${store.baseUrl}/admin/loyalty/accounts/${c.id}/adjustments`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json", "idempotency-key": `promo-test-${++keys}` },
      body: JSON.stringify({ points, reason: points > 0 ? "promotion test credit" : "correction" }),
    })
    expect(res.status).toBe(200)
  }
  const tierOf = async (c: Customer) => (await sql(`SELECT tier FROM loyalty_account WHERE customer_id = $1`, [c.id]))[0]?.tier ?? null
  /** A registered member with `points` lifetime points, once the tier hook has given them `tier`. */
  const member = async (points: number, tier: string) => {
    const c = await createCustomer(store)
    await waitFor(async () => (await sql(`SELECT 1 FROM loyalty_account WHERE customer_id = $1`, [c.id])).length > 0, { description: "account opened" })
    if (points) await adjust(c, points)
    await waitFor(async () => (await tierOf(c)) === tier, { description: `tier ${tier}` })
    return c
  }
  /** Applies `code` to a fresh cart of `c` (one shirt): the raw response of Medusa's cart update. */
  const tryCode = async (c: Customer, code: string) => {
    const { cart } = expectOk(await c.api.post("/store/carts", { region_id: region.id }), "POST /store/carts")
    expectOk(await c.api.post(`/store/carts/${cart.id}/line-items`, { variant_id: shirt, quantity: 1 }), "line item")
    return await c.api.post(`/store/carts/${cart.id}`, { discounts: [{ code }] })
  }
  const reconcile = async () => expectOk(await admin.api.post("/admin/loyalty/promotions/reconcile", {}), "reconcile")
  const discount = async (code: string) => expectOk(await admin.api.get(`/admin/discounts/code/${code}`), `GET discount ${code}`).discount
  const myCodes = async (c: Customer) => expectOk(await c.api.get("/store/customers/me/loyalty/promotions"), "my promotions").promotions.map((p: any) => p.code)
  const service = () => store.container.resolve("loyaltyPromotionService")
  /** The packaged rule files with promotions.json changed by `edit`, compiled. */
  const rulebookWith = (edit: (promotions: any[]) => any[]): Rulebook => {
    const dir = path.join(REPO_ROOT, "rules")
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((name) => {
      const text = fs.readFileSync(path.join(dir, name), "utf8")
      if (name !== "promotions.json") return { name, text }
      const json = JSON.parse(text)
      return { name, text: JSON.stringify({ ...json, promotions: edit(json.promotions) }) }
    })
    const compiled = compileRulebook(files)
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues))
    return compiled.rulebook
  }

  it("reconcile creates the four discounts restricted to their customer groups, and a second run changes nothing", async () => {
    const first = await reconcile()
    expect(first).toMatchObject({ conflicts: [], failed: [], pending: [], disabled: [] })
    expect([...first.created, ...first.updated, ...first.unchanged].sort()).toEqual(CODES)
    for (const code of CODES) {
      const d = await discount(code)
      expect(d).toMatchObject({ code, is_disabled: false, is_dynamic: false, metadata: { loyalty_promotion: code } })
      expect(d.regions.map((r: any) => r.id)).toEqual([region.id])
      expect(d.rule.conditions).toHaveLength(1)
      expect(d.rule.conditions[0]).toMatchObject({ type: "customer_groups", operator: "in" })
      const groups = await sql(
        `SELECT g.name FROM discount_condition_customer_group cg JOIN customer_group g ON g.id = cg.customer_group_id WHERE cg.condition_id = $1`,
        [d.rule.conditions[0].id]
      )
      expect(groups).toEqual([{ name: `Loyalty promotion: ${code}` }])
    }
    expect((await discount("GOLD15")).rule).toMatchObject({ type: "percentage", value: 15, allocation: "total" })
    const second = await reconcile()
    expect(second).toMatchObject({ created: [], updated: [], disabled: [], conflicts: [], pending: [], failed: [] })
    expect([...second.unchanged].sort()).toEqual(CODES)
  })

  it("lets a gold member pay 15 % less with GOLD15 at checkout", async () => {
    const gina = await member(5000, "gold")
    const order = await placeOrder(store, { token: gina, region, items: [{ variant_id: shirt, quantity: 1 }], discountCode: "GOLD15" })
    expect(order.discounts.map((d: any) => d.code)).toEqual(["GOLD15"])
    expect(order.subtotal).toBe(10000)
    expect(order.discount_total).toBe(1500)
    expect(order.total).toBe(10000 - 1500 + 1000) // + flat shipping
  })

  it("refuses GOLD15 to a bronze member with Medusa's own 'not valid for customer' error", async () => {
    const bo = await member(0, "bronze")
    const res = await tryCode(bo, "GOLD15")
    expect(res.status).toBe(400)
    expect(res.body.message).toContain("not valid for customer")
  })

  it("stops GOLD15 working for a gold member as soon as a correction demotes them", async () => {
    const dan = await member(5000, "gold")
    expect((await tryCode(dan, "GOLD15")).status).toBe(200)
    await adjust(dan, -4600)
    await waitFor(async () => (await tierOf(dan)) === "bronze", { description: "demoted to bronze" })
    const refused = await tryCode(dan, "GOLD15")
    expect(refused.status).toBe(400)
    expect(refused.body.message).toContain("not valid for customer")
    expect((await tryCode(dan, "MEMBER5")).status).toBe(200)
  })

  it("gives MEMBER5 to every member whatever their tier, and each tier code only to its tier", async () => {
    const members = { bronze: await member(0, "bronze"), silver: await member(1000, "silver"), platinum: await member(20000, "platinum") }
    for (const c of Object.values(members)) {
      const res = await tryCode(c, "MEMBER5")
      expect(res.status).toBe(200)
      expect(res.body.cart.discount_total).toBe(500)
    }
    const silver10 = await tryCode(members.silver, "SILVER10")
    expect(silver10.status).toBe(200)
    expect(silver10.body.cart.discount_total).toBe(1000)
    expect((await tryCode(members.platinum, "PLATINUM20")).body.cart.discount_total).toBe(2000)
    expect((await tryCode(members.silver, "PLATINUM20")).status).toBe(400)
    expect((await tryCode(members.platinum, "SILVER10")).status).toBe(400)
  })

  it("lists exactly the logged-in member's usable codes, and refuses anonymous callers", async () => {
    const gold = await member(5000, "gold")
    const bronze = await member(0, "bronze")
    expect((await myCodes(gold)).sort()).toEqual(["GOLD15", "MEMBER5"])
    expect(await myCodes(bronze)).toEqual(["MEMBER5"])
    const [gold15] = expectOk(await gold.api.get("/store/customers/me/loyalty/promotions"), "list").promotions.filter((p: any) => p.code === "GOLD15")
    expect(gold15).toMatchObject({ name: "Gold 15 % off", discount: { type: "percentage", value: 15, allocation: "total" }, ends_at: null })
    expect((await api(store.baseUrl).get("/store/customers/me/loyalty/promotions")).status).toBe(401)
  })

  it("shows admins every tracked promotion with its discount, group, status and member count", async () => {
    const before = expectOk(await admin.api.get("/admin/loyalty/promotions"), "list").promotions
    await member(5000, "gold")
    const after = expectOk(await admin.api.get("/admin/loyalty/promotions"), "list").promotions
    expect(after.map((p: any) => p.code)).toEqual(CODES)
    const gold = after.find((p: any) => p.code === "GOLD15")
    expect(gold).toMatchObject({ status: "active", discount_id: (await discount("GOLD15")).id })
    expect(gold.member_count).toBe(before.find((p: any) => p.code === "GOLD15").member_count + 1)
    const [{ n }] = await sql(`SELECT count(*)::int AS n FROM customer_group_customers WHERE customer_group_id = $1`, [gold.customer_group_id])
    expect(gold.member_count).toBe(n)
  })

  it("disables a promotion removed from the files, updates a changed value, and restores both from the files", async () => {
    const pat = await member(20000, "platinum")
    const silvia = await member(1000, "silver")
    const variant = rulebookWith((ps) =>
      ps.filter((p) => p.code !== "PLATINUM20").map((p) => (p.code === "SILVER10" ? { ...p, discount: { ...p.discount, value: 12 } } : p))
    )
    const changed = await service().reconcile(variant)
    expect(changed).toMatchObject({ disabled: ["PLATINUM20"], updated: ["SILVER10"], created: [], conflicts: [], failed: [] })
    expect(await discount("PLATINUM20")).toMatchObject({ is_disabled: true })
    expect((await discount("SILVER10")).rule.value).toBe(12)
    expect((await tryCode(silvia, "SILVER10")).body.cart.discount_total).toBe(1200)
    expect((await tryCode(pat, "PLATINUM20")).status).toBe(400)
    const tracked = expectOk(await admin.api.get("/admin/loyalty/promotions"), "list").promotions
    expect(tracked.find((p: any) => p.code === "PLATINUM20")).toMatchObject({ status: "disabled", member_count: 0 })

    const restored = await reconcile()
    expect([...restored.updated].sort()).toEqual(["PLATINUM20", "SILVER10"])
    expect(await discount("PLATINUM20")).toMatchObject({ is_disabled: false })
    expect((await discount("SILVER10")).rule.value).toBe(10)
    expect((await tryCode(pat, "PLATINUM20")).body.cart.discount_total).toBe(2000)
    expect(await myCodes(pat)).toEqual(["MEMBER5", "PLATINUM20"])
  })

  it("leaves a foreign discount that has a promotion's code untouched and reports it as a conflict", async () => {
    const foreign = expectOk(
      await admin.api.post("/admin/discounts", {
        code: "SUMMER25",
        regions: [region.id],
        rule: { type: "percentage", value: 25, allocation: "total", description: "summer sale" },
      }),
      "POST /admin/discounts"
    ).discount
    const variant = rulebookWith((ps) => [
      ...ps,
      { code: "SUMMER25", name: "Summer members", conditions: { all: [] }, discount: { type: "percentage", value: 30 } },
    ])
    const result = await service().reconcile(variant)
    expect(result.conflicts).toEqual([{ code: "SUMMER25", reason: expect.stringContaining("did not create") }])
    expect([...result.unchanged].sort()).toEqual(CODES)
    const after = await discount("SUMMER25")
    expect(after).toMatchObject({ id: foreign.id, is_disabled: false, rule: { value: 25, description: "summer sale" } })
    expect(after.rule.conditions).toEqual([])
    expect(await sql(`SELECT code FROM loyalty_promotion WHERE code = 'SUMMER25'`)).toEqual([])
    const bo = await member(0, "bronze")
    expect((await tryCode(bo, "SUMMER25")).body.cart.discount_total).toBe(2500)
  })
})
