import fs from "fs"
import os from "os"
import path from "path"
import { cli, FIXTURE_STORE } from "../helpers/cli"
import { createAdmin, createCustomer, createProduct, createRegion, placeOrder, query, startStore, waitFor } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

/**
 * The store half of the marketer's toolchain (admin API): what is live, dry-run validation, hot reload from disk
 * (a broken file keeps the previous rulebook), simulations that write nothing, and explanations of past accruals
 * under the rulebook version that produced them, after a reload changed the live one.
 */
describe("rules admin: validate, hot reload, simulate, explain", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  let shirt: string // 123.45
  let lena: Customer
  let rulesDir: string
  let v1: string
  let v2: string
  const ids: Record<string, string> = {}

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const accrualOf = (order_id: string) =>
    waitFor(async () => (await sql(`SELECT * FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'accrual'`, [order_id]))[0], {
      description: `accrual of ${order_id}`,
    })
  const accrualText = (points: number, operator = "equal") => {
    const json = JSON.parse(fs.readFileSync(path.join(__dirname, "../../rules/accrual.json"), "utf8"))
    json.rules[0].event.params.points = points
    json.rules[0].conditions.all[0].operator = operator
    return JSON.stringify(json, null, 2)
  }
  const entryCount = async () => (await sql(`SELECT count(*)::int AS n FROM loyalty_ledger_entry`))[0].n

  beforeAll(async () => {
    rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-rules-admin-"))
    const source = path.join(__dirname, "../../rules")
    for (const f of fs.readdirSync(source).filter((n) => n.endsWith(".json"))) fs.copyFileSync(path.join(source, f), path.join(rulesDir, f))
    store = await startStore({ pluginOptions: { rules_dir: rulesDir } })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    shirt = await createProduct(admin, { title: "Shirt", price: 12345 })
    lena = await createCustomer(store)
  })

  afterAll(async () => {
    await store?.stop()
    if (rulesDir) fs.rmSync(rulesDir, { recursive: true, force: true })
  })

  it("GET /admin/loyalty/rules shows the live rulebook, stored by version at boot", async () => {
    const res = await admin.api.get("/admin/loyalty/rules")
    expect(res.status).toBe(200)
    expect(res.body.rules).toMatchObject({ rules_dir: rulesDir, last_reload_error: null, loaded_at: expect.any(String) })
    expect(res.body.rules.version).toMatch(/^[0-9a-f]{64}$/)
    expect(res.body.rules.files).toEqual(expect.arrayContaining(["accrual.json", "program.json", "tiers.json"]))
    v1 = res.body.rules.version
    const rows = await sql(`SELECT version, files FROM loyalty_rulebook`)
    expect(rows.map((r) => r.version)).toEqual([v1])
    expect(rows[0].files.map((f: { name: string }) => f.name)).toEqual(res.body.rules.files)
  })

  it("GET /admin/loyalty/rules/files gives the live files' text, which validates to the live version", async () => {
    const res = await admin.api.get("/admin/loyalty/rules/files")
    expect(res.status).toBe(200)
    expect(res.body.version).toBe(v1)
    expect(res.body.files.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(["accrual.json", "program.json", "tiers.json"]))
    const accrual = res.body.files.find((f: { name: string }) => f.name === "accrual.json")
    expect(accrual.content).toBe(fs.readFileSync(path.join(rulesDir, "accrual.json"), "utf8"))
    const again = await admin.api.post("/admin/loyalty/rules/validate", { files: res.body.files })
    expect(again.body).toMatchObject({ valid: true, version: v1 })
  })

  it("validates files without applying them: located issues for a broken file, the version for good ones", async () => {
    const broken = await admin.api.post("/admin/loyalty/rules/validate", { files: [{ name: "accrual.json", content: accrualText(1, "equals") }] })
    expect(broken.status).toBe(200)
    expect(broken.body.valid).toBe(false)
    expect(broken.body.version).toBeUndefined()
    expect(broken.body.issues[0]).toMatchObject({
      file: "accrual.json",
      pointer: "/rules/0/conditions/all/0/operator",
      line: expect.any(Number),
      column: expect.any(Number),
      message: expect.any(String),
      hint: expect.stringContaining("equal"),
    })

    const files = fs.readdirSync(rulesDir).filter((n) => n.endsWith(".json")).map((name) => ({ name, content: fs.readFileSync(path.join(rulesDir, name), "utf8") }))
    const good = await admin.api.post("/admin/loyalty/rules/validate", { files })
    expect(good.body).toEqual({ valid: true, version: v1, issues: [] })

    const malformed = await admin.api.post("/admin/loyalty/rules/validate", { files: [{ name: "a.json" }] })
    expect(malformed.status).toBe(400)
    expect(malformed.body.message).toContain("body.files.0.content")

    expect((await admin.api.get("/admin/loyalty/rules")).body.rules).toMatchObject({ version: v1, last_reload_error: null })
  })

  it("hot-reloads edited files: new orders earn under the new version, old entries explain under theirs", async () => {
    const first = await placeOrder(store, { token: lena, region, items: [{ variant_id: shirt, quantity: 1 }] })
    const old = await accrualOf(first.id)
    expect(old).toMatchObject({ points: 223, rulebook_version: v1 })
    ids.first = first.id

    fs.writeFileSync(path.join(rulesDir, "accrual.json"), accrualText(2))
    const reload = await admin.api.post("/admin/loyalty/rules/reload")
    expect(reload.status).toBe(200)
    v2 = reload.body.rules.version
    expect(v2).toMatch(/^[0-9a-f]{64}$/)
    expect(v2).not.toBe(v1)
    expect(reload.body.rules).toMatchObject({ rules_dir: rulesDir, last_reload_error: null })
    expect(reload.body.promotions).toMatchObject({ rulebook_version: v2 })
    expect((await sql(`SELECT version FROM loyalty_rulebook ORDER BY loaded_at`)).map((r) => r.version)).toEqual([v1, v2])

    const second = await placeOrder(store, { token: lena, region, items: [{ variant_id: shirt, quantity: 1 }] })
    const fresh = await accrualOf(second.id)
    expect(fresh).toMatchObject({ points: 246, rulebook_version: v2 }) // 2 × 123, no first-order bonus

    const explainOld = await admin.api.get(`/admin/loyalty/entries/${old.id}/explain`)
    expect(explainOld.status).toBe(200)
    expect(explainOld.body.entry).toMatchObject({ id: old.id, kind: "accrual", points: 223, rulebook_version: v1 })
    expect(explainOld.body.rulebook.version).toBe(v1)
    const oldAccrual = JSON.parse(explainOld.body.rulebook.files.find((f: { name: string }) => f.name === "accrual.json").text)
    expect(oldAccrual.rules[0].event.params.points).toBe(1)
    expect(explainOld.body.facts.order).toMatchObject({ id: first.id, subtotal: 12345 })
    expect(explainOld.body.facts.customer).toMatchObject({ id: lena.id, orders_count: 0 })
    expect(explainOld.body.rules_fired).toEqual([
      { name: "first-order-bonus", type: "fixed_bonus", contribution: 100 },
      { name: "base-earn", type: "points_per_amount", contribution: 123 },
    ].sort((a, b) => explainOld.body.entry.rule_names.indexOf(a.name) - explainOld.body.entry.rule_names.indexOf(b.name)))

    const explainNew = await admin.api.get(`/admin/loyalty/entries/${fresh.id}/explain`)
    expect(explainNew.body.rulebook.version).toBe(v2)
    const newAccrual = JSON.parse(explainNew.body.rulebook.files.find((f: { name: string }) => f.name === "accrual.json").text)
    expect(newAccrual.rules[0].event.params.points).toBe(2)
    expect(explainNew.body.facts.customer).toMatchObject({ orders_count: 1, points_balance: 223 })
    expect(explainNew.body.rules_fired).toEqual([{ name: "base-earn", type: "points_per_amount", contribution: 246 }])

    expect((await admin.api.get(`/admin/loyalty/entries/lent_missing/explain`)).status).toBe(404)
  })

  it("refuses a broken file on disk with located issues and keeps the previous rulebook earning", async () => {
    fs.writeFileSync(path.join(rulesDir, "accrual.json"), accrualText(5, "equals"))
    const reload = await admin.api.post("/admin/loyalty/rules/reload")
    expect(reload.status).toBe(400)
    expect(reload.body).toMatchObject({ type: "invalid_data", code: "RULES_INVALID", message: expect.stringContaining(v2) })
    expect(reload.body.issues[0]).toMatchObject({ file: "accrual.json", pointer: "/rules/0/conditions/all/0/operator", line: expect.any(Number) })

    const live = (await admin.api.get("/admin/loyalty/rules")).body.rules
    expect(live.version).toBe(v2)
    expect(live.last_reload_error).toMatchObject({ at: expect.any(String), issues: [expect.objectContaining({ file: "accrual.json" })] })

    const third = await placeOrder(store, { token: lena, region, items: [{ variant_id: shirt, quantity: 1 }] })
    expect(await accrualOf(third.id)).toMatchObject({ points: 246, rulebook_version: v2 })
    expect((await sql(`SELECT count(*)::int AS n FROM loyalty_rulebook`))[0].n).toBe(2)
  })

  it("simulates a stored order or plain facts with the live rulebook, writing nothing", async () => {
    const before = await entryCount()
    const byOrder = await admin.api.post("/admin/loyalty/simulate", { order_id: ids.first })
    expect(byOrder.status).toBe(200)
    // The first order under v2: 2 × 123 + 100 first-order bonus.
    expect(byOrder.body).toMatchObject({ points: 346, amount_points: 246, bonus_points: 100, rulebook_version: v2 })
    expect(byOrder.body.rule_names).toEqual(expect.arrayContaining(["base-earn", "first-order-bonus"]))
    expect(byOrder.body.contributions).toHaveLength(2)
    expect(byOrder.body.tier).toMatchObject({ code: expect.any(String) })

    const byFacts = await admin.api.post("/admin/loyalty/simulate", { order: { subtotal: 5000 }, customer: { orders_count: 3 } })
    expect(byFacts.status).toBe(200)
    expect(byFacts.body).toMatchObject({ points: 100, amount_points: 100, bonus_points: 0, rule_names: ["base-earn"], rulebook_version: v2 })

    expect((await admin.api.post("/admin/loyalty/simulate", {})).status).toBe(400)
    expect((await admin.api.post("/admin/loyalty/simulate", { order_id: "order_missing" })).status).toBe(404)
    expect(await entryCount()).toBe(before)
  })

  it("simulates a candidate rulebook sent with the order (the admin's candidate editor), refuses an invalid one with its file and JSON pointer, and leaves the live rulebook as it was", async () => {
    const before = await entryCount()
    const { body: live } = await admin.api.get("/admin/loyalty/rules/files")
    const candidate = live.files.map((f: { name: string; content: string }) => (f.name === "accrual.json" ? { ...f, content: accrualText(5) } : f))
    // The first order under the candidate: 5 × 123 + 100 first-order bonus (the live v2 gives 346).
    const byOrder = await admin.api.post("/admin/loyalty/simulate", { order_id: ids.first, files: candidate })
    expect(byOrder.status).toBe(200)
    expect(byOrder.body).toMatchObject({ points: 715, amount_points: 615, bonus_points: 100 })
    expect(byOrder.body.rulebook_version).not.toBe(v2)
    const byFacts = await admin.api.post("/admin/loyalty/simulate", { order: { subtotal: 5000 }, customer: { orders_count: 3 }, files: candidate })
    expect(byFacts.body).toMatchObject({ points: 250, rule_names: ["base-earn"] })
    const asMap = Object.fromEntries(candidate.map((f: { name: string; content: string }) => [f.name, JSON.parse(f.content)]))
    expect((await admin.api.post("/admin/loyalty/simulate", { order: { subtotal: 5000 }, customer: { orders_count: 3 }, files: asMap })).body).toMatchObject({ points: 250 })

    const broken = live.files.map((f: { name: string; content: string }) => (f.name === "accrual.json" ? { ...f, content: accrualText(-1, "nonsense") } : f))
    const refused = await admin.api.post("/admin/loyalty/simulate", { order_id: ids.first, files: broken })
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({ type: "invalid_data", code: "RULES_INVALID", message: expect.stringContaining("nothing was evaluated") })
    expect(refused.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ file: "accrual.json", pointer: expect.stringMatching(/^\/rules\/0/) })]))
    const malformed = await admin.api.post("/admin/loyalty/simulate", { order_id: ids.first, files: [{ name: "accrual.json" }] })
    expect([malformed.status, malformed.body.code]).toEqual([400, "INVALID_INPUT"])

    expect((await admin.api.get("/admin/loyalty/rules")).body.rules.version).toBe(v2)
    expect((await admin.api.post("/admin/loyalty/simulate", { order_id: ids.first })).body).toMatchObject({ points: 346, rulebook_version: v2 })
    expect(await entryCount()).toBe(before)
  })

  it("replays a stored order under a candidate rules directory from the command line (simulate --order <id>)", async () => {
    const before = await entryCount()
    const [accrual] = await sql(`SELECT details FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'accrual'`, [ids.first])
    const seed003 = path.join(__dirname, "../../examples/rulebooks/seed-003")
    const run = await cli(["simulate", "--order", ids.first, "--rules", seed003, "--format", "json"], FIXTURE_STORE)
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report).toMatchObject({ points: Math.trunc(accrual.details.facts.order.total / 100) * 10, rule_names: expect.any(Array) })
    expect(report.facts.order.id).toBe(ids.first)
    expect(await entryCount()).toBe(before)
  })

  it("simulates an order for a stored customer as they are now (simulate --customer <id>), writing nothing", async () => {
    const before = await entryCount()
    const [account] = await sql(`SELECT points_balance, points_lifetime::float8 AS points_lifetime, tier FROM loyalty_account WHERE customer_id = $1`, [lena.id])
    const [{ n: orders }] = await sql(`SELECT count(*)::int AS n FROM "order" WHERE customer_id = $1 AND status <> 'canceled'`, [lena.id])
    expect(orders).toBeGreaterThanOrEqual(3)
    // A candidate directory: the shipped files with 2 points per unit (the live directory holds a broken file by now).
    const candidate = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-candidate-"))
    const source = path.join(__dirname, "../../rules")
    for (const f of fs.readdirSync(source).filter((n) => n.endsWith(".json"))) fs.copyFileSync(path.join(source, f), path.join(candidate, f))
    fs.writeFileSync(path.join(candidate, "accrual.json"), accrualText(2))
    const orderFile = path.join(candidate, "..", `order-${path.basename(candidate)}.json`)
    fs.writeFileSync(orderFile, JSON.stringify({ subtotal: 10000 }))
    try {
      const run = await cli(["simulate", "--order", orderFile, "--customer", lena.id, "--rules", candidate, "--format", "json"], FIXTURE_STORE)
      expect({ code: run.code, stderr: run.code === 0 ? "" : run.stderr.slice(-2000) }).toEqual({ code: 0, stderr: "" })
      const report = JSON.parse(run.stdout)
      expect(report.facts.customer).toMatchObject({ id: lena.id, email: lena.email, orders_count: orders, ...account })
      // Not a first order any more: no bonus; 2 points per unit under the candidate rules.
      expect(report).toMatchObject({ points: 200, rule_names: ["base-earn"] })
      // The member after this order: the stored history plus this order, in every window.
      expect(report.facts.member).toMatchObject({ customer_id: lena.id, orders_count: orders + 1, points_lifetime: account.points_lifetime + 200, points_balance: account.points_balance + 200 })
      expect(report.facts.member.points_last_365d).toBe(account.points_lifetime + 200)
      expect(report.facts.member.spend_last_365d_minor).toBeGreaterThan(10000)

      const missing = await cli(["simulate", "--order", orderFile, "--customer", "cus_01NOSUCHCUSTOMER", "--rules", candidate], FIXTURE_STORE)
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain("customer cus_01NOSUCHCUSTOMER not found")
    } finally {
      fs.rmSync(orderFile, { force: true })
      fs.rmSync(candidate, { recursive: true, force: true })
    }
    expect(await entryCount()).toBe(before)
  })

  it("backtests the stored accruals under a candidate rulebook (CLI, read-only): json per order and csv per member", async () => {
    const before = await entryCount()
    const accruals = await sql(`SELECT id, customer_id, points, pending_delta, details FROM loyalty_ledger_entry WHERE kind = 'accrual' ORDER BY seq`)
    expect(accruals.length).toBeGreaterThanOrEqual(3)
    const args = ["backtest", "--rules", "examples/rulebooks/seed-003", "--database-url", store.databaseUrl]
    const json = await cli([...args, "--format", "json"])
    expect(json.stderr).toContain("backtest: 100%")
    expect(json.code).toBe(0)
    const report = JSON.parse(json.stdout)
    expect(report.totals).toMatchObject({ orders_evaluated: accruals.length, skipped: 0, members: 1 })
    for (const entry of accruals) {
      const order = report.orders.find((o: { entry_id: string }) => o.entry_id === entry.id)
      const earned = entry.points + entry.pending_delta
      expect(order).toMatchObject({ order_id: entry.details.facts.order.id, earned, candidate: Math.trunc(entry.details.facts.order.total / 100) * 10 })
      expect(order.delta).toBe(order.candidate - earned)
    }
    const candidate = report.orders.reduce((s: number, o: { candidate: number }) => s + o.candidate, 0)
    const earned = accruals.reduce((s, e) => s + e.points + e.pending_delta, 0)
    expect(report.totals).toMatchObject({ points_now: earned, points_candidate: candidate, liability_delta: candidate - earned })
    // seed-003 has no tiers file: tiers stay as they are.
    expect(report.members).toEqual([expect.objectContaining({ customer_id: lena.id, points_now: earned, points_candidate: candidate, delta: candidate - earned })])
    expect(report.members[0].tier_candidate).toBe(report.members[0].tier_now)

    const csv = await cli([...args, "--format", "csv"])
    expect(csv.code).toBe(0)
    const lines = csv.stdout.trim().split("\n")
    expect(lines[0]).toBe("customer_id,email,points_now,points_candidate,delta,tier_now,tier_candidate")
    const m = report.members[0]
    expect(lines.slice(1)).toEqual([[m.customer_id, m.email ?? "", earned, candidate, candidate - earned, m.tier_now ?? "", m.tier_candidate ?? ""].join(",")])

    expect(await entryCount()).toBe(before)
  })
})
