import fs from "fs"
import os from "os"
import path from "path"
import { api, createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, query, redeemPoints, startStore, waitFor } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"
import { openapi as activityDocs } from "../../src/api/admin/loyalty/stats/activity/route"
import { openapi as tiersDocs } from "../../src/api/admin/loyalty/stats/tiers/route"
import { openapi as backtestDocs } from "../../src/api/admin/loyalty/rules/backtest/route"
import { openapi as settingsDocs } from "../../src/api/admin/loyalty/settings/route"

/**
 * The admin dashboard's API on a real store (Medusa 1.20 + PostgreSQL, real orders through the storefront): points
 * activity per day with the outstanding liability, members per tier, a read-only backtest of candidate rule files
 * against the stored orders, and the settings page. Every success body matches the route's documented schema.
 */
describe("admin stats, backtest and settings API", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  let shirt: string // 123.45: 123 points, +100 on a first order
  let ann: Customer
  let ben: Customer
  let cid: Customer
  let rulesDir: string

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const entryOf = (order_id: string, kind: string) =>
    waitFor(async () => (await sql(`SELECT * FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = $2`, [order_id, kind]))[0], {
      description: `${kind} of ${order_id}`,
    })
  const order = (c: Customer) => placeOrder(store, { token: c, region, items: [{ variant_id: shirt, quantity: 1 }] })
  const ruleFiles = (accrualPoints = 1, operator = "equal") =>
    fs.readdirSync(rulesDir).filter((n) => n.endsWith(".json")).map((name) => {
      const content = fs.readFileSync(path.join(rulesDir, name), "utf8")
      if (name !== "accrual.json") return { name, content }
      const json = JSON.parse(content)
      json.rules[0].event.params.points = accrualPoints
      json.rules[0].conditions.all[0].operator = operator
      return { name, content: JSON.stringify(json, null, 2) }
    })
  const entryCount = async () => (await sql(`SELECT count(*)::int AS n FROM loyalty_ledger_entry`))[0].n
  const sumOf = (days: any[], key: string) => days.reduce((s, d) => s + d[key], 0)

  beforeAll(async () => {
    rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-stats-"))
    const source = path.join(__dirname, "../../rules")
    for (const f of fs.readdirSync(source).filter((n) => n.endsWith(".json"))) fs.copyFileSync(path.join(source, f), path.join(rulesDir, f))
    store = await startStore({ pluginOptions: { rules_dir: rulesDir } })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    shirt = await createProduct(admin, { title: "Shirt", price: 12345 })
    ;[ann, ben, cid] = [await createCustomer(store), await createCustomer(store), await createCustomer(store)]

    // Cid earns 223 points, which expire (an expiry run 13 months ahead, before anyone else has points).
    const c1 = await order(cid)
    expect(await entryOf(c1.id, "accrual")).toMatchObject({ points: 223 })
    const later = new Date(Date.now() + 400 * 24 * 60 * 60 * 1000)
    expect(await store.container.resolve("loyaltyExpiryService").expireAll(later)).toMatchObject({ points_expired: 223 })
    // Ann: two orders (223 + 123), an adjustment of +1000 (Silver from 1,000 lifetime points), a redemption of 500.
    const a1 = await order(ann)
    expect(await entryOf(a1.id, "accrual")).toMatchObject({ points: 223 })
    const a2 = await order(ann)
    expect(await entryOf(a2.id, "accrual")).toMatchObject({ points: 123 })
    const adjusted = await fetch(`${store.baseUrl}/admin/loyalty/accounts/${ann.id}/adjustments`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json", "idempotency-key": "stats-ann-1" },
      body: JSON.stringify({ points: 1000, reason: "goodwill" }),
    })
    expect(adjusted.status).toBe(200)
    expect((await redeemPoints(store, ann, { points: 500, region_id: region.id })).status).toBe(201)
    // Ben: an order, then canceled (the reversal claws back its 223 points).
    const b1 = await order(ben)
    expect(await entryOf(b1.id, "accrual")).toMatchObject({ points: 223 })
    expectOk(await admin.api.post(`/admin/orders/${b1.id}/cancel`), "POST /admin/orders/:id/cancel")
    expect(await entryOf(b1.id, "reversal")).toMatchObject({ points: -223 })

    // A member from long ago (entries written before facts were stored, no tier yet), with a consistent chain, and
    // an account holding a tier the ladder no longer has.
    await sql(`INSERT INTO loyalty_account (id, customer_id, points_balance, points_lifetime, points_pending, tier)
               VALUES ('lacc_hist', 'cus_hist', 650, 1050, 0, NULL), ('lacc_legacy', 'cus_legacy', 0, 0, 0, 'diamond')`)
    const history: Array<[string, number, number, string]> = [
      ["accrual", 1000, 1000, "2025-01-10T12:00:00Z"],
      ["redemption", -300, 700, "2025-01-11T23:59:59.999Z"],
      ["adjustment", 50, 750, "2025-01-12T00:00:00Z"],
      ["expiry", -100, 650, "2025-01-14T10:00:00Z"],
    ]
    for (const [i, [kind, points, balance_after, created_at]] of history.entries()) {
      await sql(
        `INSERT INTO loyalty_ledger_entry (id, account_id, customer_id, kind, points, balance_after, idempotency_key, payload_hash, created_at)
         VALUES ($1, 'lacc_hist', 'cus_hist', $2, $3, $4, $1, 'x', $5)`,
        [`lent_hist_${i}`, kind, points, balance_after, created_at]
      )
    }
  })

  afterAll(async () => {
    await store?.stop()
    if (rulesDir) fs.rmSync(rulesDir, { recursive: true, force: true })
  })

  it("reports the last 30 days by default: each kind in its bucket, and the outstanding points equal the sum of balances", async () => {
    const res = await admin.api.get("/admin/loyalty/stats/activity")
    expect(res.status).toBe(200)
    activityDocs.GET!.response.parse(res.body)
    const today = new Date().toISOString().slice(0, 10)
    const days: any[] = res.body.days
    expect(days).toHaveLength(30)
    expect(res.body).toMatchObject({ to: days[29].date, from: days[0].date })
    expect([today, new Date(Date.now() - 60_000).toISOString().slice(0, 10)]).toContain(res.body.to) // a run across midnight UTC
    expect(days.map((d) => d.date)).toEqual([...days.map((d) => d.date)].sort())
    // Issued: Cid 223, Ann 223 + 123, Ben 223; redeemed: Ann's 500; expired: Cid's 223; clawed back: Ben's cancel.
    expect({
      issued: sumOf(days, "issued_points"),
      redeemed: sumOf(days, "redeemed_points"),
      expired: sumOf(days, "expired_points"),
      clawed_back: sumOf(days, "clawed_back_points"),
      adjusted: sumOf(days, "adjusted_points"),
    }).toEqual({ issued: 792, redeemed: -500, expired: -223, clawed_back: -223, adjusted: 1000 })
    const [{ total }] = await sql(`SELECT sum(points_balance)::int AS total FROM loyalty_account`)
    expect(total).toBe(650 + 846 + 0 + 0) // the old member, Ann, Ben, Cid
    expect(days[29].outstanding_points).toBe(total)
    // Each day's figure is the ledger's own sum up to the end of that day (the route reads it from the other end).
    for (const d of days) {
      const [{ sum }] = await sql(`SELECT COALESCE(sum(points), 0)::int AS sum FROM loyalty_ledger_entry WHERE created_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC'`, [d.date])
      expect([d.date, d.outstanding_points]).toEqual([d.date, sum])
    }
    // Before today's entries only the old member held points (650 since January 2025).
    const active = new Set((await sql(`SELECT DISTINCT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d FROM loyalty_ledger_entry WHERE customer_id <> 'cus_hist'`)).map((r) => r.d))
    for (const d of days.filter((d) => !active.has(d.date))) {
      expect(d).toMatchObject({ issued_points: 0, redeemed_points: 0, expired_points: 0, clawed_back_points: 0, adjusted_points: 0 })
    }
    if (!active.has(days[0].date)) expect(days[0].outstanding_points).toBe(650)
  })

  it("buckets by UTC day, zero-fills quiet days and starts the outstanding points from everything before the range", async () => {
    const res = await admin.api.get("/admin/loyalty/stats/activity?from=2025-01-11&to=2025-01-14")
    expect(res.status).toBe(200)
    const zero = { issued_points: 0, redeemed_points: 0, expired_points: 0, clawed_back_points: 0, adjusted_points: 0 }
    expect(res.body).toEqual({
      from: "2025-01-11",
      to: "2025-01-14",
      days: [
        { date: "2025-01-11", ...zero, redeemed_points: -300, outstanding_points: 700 }, // 1000 earned on the 10th
        { date: "2025-01-12", ...zero, adjusted_points: 50, outstanding_points: 750 },
        { date: "2025-01-13", ...zero, outstanding_points: 750 },
        { date: "2025-01-14", ...zero, expired_points: -100, outstanding_points: 650 },
      ],
    })
    const one = await admin.api.get("/admin/loyalty/stats/activity?from=2025-01-10&to=2025-01-10")
    expect(one.body.days).toEqual([{ date: "2025-01-10", ...zero, issued_points: 1000, outstanding_points: 1000 }])
    const year = await admin.api.get("/admin/loyalty/stats/activity?from=2024-01-15&to=2025-01-14")
    expect(year.status).toBe(200)
    expect(year.body.days).toHaveLength(366) // 2024 is a leap year: the longest range allowed
  })

  it.each([
    ["from=2025-02-30", "query.from"],
    ["to=20250101", "query.to"],
    ["from=2025-01-10&to=2025-01-09", "query.from"],
    ["from=2024-01-14&to=2025-01-14", "366"],
    ["from=2020-01-01", "366"],
    ["days=7", "query.days"],
  ])("answers 400 naming the problem for the query %s", async (q, mentions) => {
    const res = await admin.api.get(`/admin/loyalty/stats/activity?${q}`)
    expect(res.status).toBe(400)
    expect(res.body.message).toContain(mentions)
  })

  it("counts members per tier of the live ladder, then tiers no longer in it, then members without a tier", async () => {
    await waitFor(async () => (await sql(`SELECT count(*)::int AS n FROM loyalty_account WHERE tier IN ('bronze', 'silver')`))[0].n === 3)
    const res = await admin.api.get("/admin/loyalty/stats/tiers")
    expect(res.status).toBe(200)
    tiersDocs.GET!.response.parse(res.body)
    expect(res.body.tiers).toEqual([
      { code: "bronze", name: "Bronze", members: 2 }, // Ben, Cid
      { code: "silver", name: "Silver", members: 1 }, // Ann: 1,346 lifetime points
      { code: "gold", name: "Gold", members: 0 },
      { code: "platinum", name: "Platinum", members: 0 },
      { code: "diamond", name: "diamond", members: 1 },
      { code: "none", name: "No tier", members: 1 },
    ])
    // The tier summary reads the same counts.
    const summary = (await admin.api.get("/admin/loyalty/tiers")).body.tiers
    expect(summary.map((t: { code: string; member_count: number }) => [t.code, t.member_count])).toEqual([["bronze", 2], ["silver", 1], ["gold", 0], ["platinum", 0]])
  })

  it("backtests a candidate that doubles points: positive liability delta, the biggest gainer first, nothing written", async () => {
    const before = await entryCount()
    const res = await admin.api.post("/admin/loyalty/rules/backtest", { files: ruleFiles(2) })
    expect(res.status).toBe(200)
    backtestDocs.POST!.response.parse(res.body)
    const live = (await admin.api.get("/admin/loyalty/rules")).body.rules.version
    // Orders evaluated with the facts they saw: first orders 2 × 123 + 100 = 346 (was 223), Ann's second 246 (was 123).
    expect(res.body).toMatchObject({
      live_rulebook_version: live,
      window: { since: null, limit_orders: 1000 },
      orders_evaluated: 4,
      orders_changed: 4,
      orders_skipped: 1, // the old member's accrual has no stored facts
      current_points: 223 * 3 + 123,
      candidate_points: 346 * 3 + 246,
      liability_delta_points: 123 * 4,
      members_evaluated: 3,
      members_changing_tier: 0,
      tier_moves: [],
    })
    expect(res.body.rulebook_version).toMatch(/^[0-9a-f]{64}$/)
    expect(res.body.rulebook_version).not.toBe(live)
    const [b, c] = [ben.id, cid.id].sort()
    expect(res.body.members).toEqual([
      { customer_id: ann.id, email: ann.email, orders: 2, actions: 0, current_points: 346, candidate_points: 592, delta_points: 246, tier_current: "silver", tier_candidate: "silver" },
      ...[b, c].map((id) => ({ customer_id: id, email: id === ben.id ? ben.email : cid.email, orders: 1, actions: 0, current_points: 223, candidate_points: 346, delta_points: 123, tier_current: "bronze", tier_candidate: "bronze" })),
    ])
    expect(await entryCount()).toBe(before)
  })

  it("takes the files as a map of parsed JSON too, and bounds the orders by since and limit_orders", async () => {
    const files = Object.fromEntries(ruleFiles(2).map((f) => [f.name, JSON.parse(f.content)]))
    const list = await admin.api.post("/admin/loyalty/rules/backtest", { files: ruleFiles(2), limit_orders: 2 })
    const map = await admin.api.post("/admin/loyalty/rules/backtest", { files, limit_orders: 2 })
    expect(map.status).toBe(200)
    expect(map.body.rulebook_version).toBe(list.body.rulebook_version) // same content, same version
    expect(map.body).toMatchObject({ orders_evaluated: 2, window: { limit_orders: 2 } })
    const tomorrow = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString()
    const none = await admin.api.post("/admin/loyalty/rules/backtest", { files, since: tomorrow })
    expect(none.body).toMatchObject({ orders_evaluated: 0, liability_delta_points: 0, members: [], window: { since: tomorrow } })
  })

  it("refuses an invalid candidate with 400 and issues located like rules/validate's, evaluating nothing", async () => {
    const res = await admin.api.post("/admin/loyalty/rules/backtest", { files: ruleFiles(2, "equals") })
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ type: "invalid_data", code: "RULES_INVALID", message: expect.stringContaining("invalid") })
    const validate = await admin.api.post("/admin/loyalty/rules/validate", { files: ruleFiles(2, "equals") })
    expect(res.body.issues).toEqual(validate.body.issues)
    expect(res.body.issues[0]).toMatchObject({ file: "accrual.json", pointer: "/rules/0/conditions/all/0/operator", line: expect.any(Number), column: expect.any(Number) })
  })

  it.each([
    [{}, "body.files"],
    [{ files: [] }, "body.files"],
    [{ files: [{ name: "a/b.json", content: "{}" }] }, "body.files.0.name"],
    [{ files: ruleFilesPlaceholder(), limit_orders: 5001 }, "body.limit_orders"],
    [{ files: ruleFilesPlaceholder(), limit_orders: 1.5 }, "body.limit_orders"],
    [{ files: ruleFilesPlaceholder(), since: "yesterday" }, "body.since"],
    [{ files: ruleFilesPlaceholder(), until: "2025-01-01" }, "until"],
    [{ files: {} }, "body.files"],
  ])("answers 400 naming the field for the backtest body %j", async (body, mentions) => {
    const res = await admin.api.post("/admin/loyalty/rules/backtest", body)
    expect(res.status).toBe(400)
    expect(res.body.message).toContain(mentions)
  })

  it("shows the plugin options, the live program settings and version, and the docs by name", async () => {
    const res = await admin.api.get("/admin/loyalty/settings")
    expect(res.status).toBe(200)
    settingsDocs.GET!.response.parse(res.body)
    const program = JSON.parse(fs.readFileSync(path.join(rulesDir, "program.json"), "utf8"))
    expect(res.body).toEqual({
      plugin_options: { rules_dir: rulesDir, auto_enroll: true, watch_rules: false },
      // The file's settings, and the defaults of those it leaves out (store calendar, expiry reminder, referral window,
      // the share of a cart's goods points may pay).
      program: {
        negative_balance: program.negative_balance, redemption: { max_cart_share_bps: 10_000, ...program.redemption }, expiry: program.expiry, pending_days: program.pending_days, spendable_on: program.spendable_on,
        timezone: program.timezone ?? "UTC", expiry_reminder_days: program.expiry_reminder_days ?? 14, referral: program.referral ?? { attach_within_days: 30 },
      },
      rulebook_version: (await admin.api.get("/admin/loyalty/rules")).body.rules.version,
      docs: expect.objectContaining({ readme: "README.md", "rule-files-reference": "rules/README.md", rules: "docs/rules.md", api: "docs/api.md", openapi: "docs/openapi.json", "checkout-safety": "docs/checkout-safety.md" }),
    })
    for (const file of Object.values(res.body.docs) as string[]) expect(fs.existsSync(path.join(__dirname, "../..", file))).toBe(true)
  })

  it("answers 401 without an admin session on every new route", async () => {
    const anonymous = api(store.baseUrl)
    for (const [method, p] of [["GET", "/admin/loyalty/stats/activity"], ["GET", "/admin/loyalty/stats/tiers"], ["POST", "/admin/loyalty/rules/backtest"], ["GET", "/admin/loyalty/settings"]]) {
      const res = await anonymous.request(method, p, method === "POST" ? { files: ruleFiles(2) } : undefined)
      expect([p, res.status]).toEqual([p, 401])
      const customer = await ann.api.request(method, p, method === "POST" ? { files: ruleFiles(2) } : undefined)
      expect([p, customer.status]).toEqual([p, 401])
    }
  })
})

/** A well-formed one-file list for bodies whose other fields are under test. */
function ruleFilesPlaceholder() {
  return [{ name: "accrual.json", content: "{}" }]
}
