import fs from "fs"
import os from "os"
import path from "path"
import { createAdmin, createCustomer, expectOk, query, REPO_ROOT, settleEvents, startStore, waitFor } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"
import { cli } from "../helpers/cli"
import { openapi as backtestDocs } from "../../src/api/admin/loyalty/rules/backtest/route"

/**
 * Custom earning actions (POST /admin/loyalty/actions) on a real store, with the campaigns example program
 * (review 50, at most 5 a month): exactly once per type + reference under concurrency, a conflict for other data,
 * a limit that leaves no entry and a reason the admin API shows, and the entry counted like any credit.
 */
describe("custom earning actions reported by the merchant's backend", () => {
  let store: Store
  let admin: Admin
  let ann: Customer
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-actions-"))

  const report = (body: Record<string, unknown>) => admin.api.post("/admin/loyalty/actions", body)
  const entriesOf = (customer_id: string, type = "review") =>
    query(store.databaseUrl, `SELECT id, kind, points, rule_names, rulebook_version, details FROM loyalty_ledger_entry WHERE customer_id = $1 AND kind = 'action' AND details->'action'->>'type' = $2 ORDER BY seq`, [customer_id, type])

  beforeAll(async () => {
    fs.cpSync(path.join(REPO_ROOT, "examples", "rulebooks", "campaigns"), dir, { recursive: true })
    fs.writeFileSync(path.join(dir, "signup.json"), JSON.stringify({ kind: "actions", rules: [{
      name: "signup-100", conditions: { all: [{ fact: "action", path: "$.type", operator: "equal", value: "signup" }] },
      event: { type: "award_points", params: { points: 100 } },
    }] }))
    store = await startStore({ pluginOptions: { rules_dir: dir, auto_enroll: true } })
    admin = await createAdmin(store)
    ann = await createCustomer(store)
  })

  afterAll(async () => {
    await store?.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("signing up earns the signup action once: a redelivered customer.created writes nothing more", async () => {
    const bob = await createCustomer(store)
    const signups = async () => (await query(store.databaseUrl, `SELECT a.status, e.points FROM loyalty_action a JOIN loyalty_ledger_entry e ON e.id = a.entry_id WHERE a.customer_id = $1 AND a.type = 'signup'`, [bob.id]))
    expect(await waitFor(async () => (await signups()).length === 1 && signups(), { timeoutMs: 120_000, description: "signup entry" })).toEqual([{ status: "awarded", points: 100 }])
    const [customer] = await query(store.databaseUrl, `SELECT id, has_account, created_at FROM customer WHERE id = $1`, [bob.id])
    const manager = store.container.resolve("manager")
    await manager.transaction((m: unknown) => store.container.resolve("eventBusService").withTransaction(m).emit("customer.created", customer))
    await settleEvents()
    expect(await signups()).toHaveLength(1)
    expect((await entriesOf(bob.id, "signup")).map((e) => e.points)).toEqual([100])
  })

  it("a review reported 5 times concurrently writes one entry of 50 points; every answer names that entry", async () => {
    const body = { customer_id: ann.id, type: "review", reference: "review_1", occurred_at: "2026-11-02T15:00:00Z", properties: { rating: 5, product: "prod_1" } }
    const answers = await Promise.all(Array.from({ length: 5 }, () => report(body)))
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201])
    const entries = await entriesOf(ann.id)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ points: 50, rule_names: ["review-50"], rulebook_version: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(entries[0].details.action).toEqual({ type: "review", reference: "review_1", occurred_at: "2026-11-02T15:00:00.000Z", properties: { rating: 5, product: "prod_1" } })
    for (const a of answers) expect(a.body).toMatchObject({ action: { status: "awarded", points: 50 }, entry: { id: entries[0].id, kind: "action", points: 50 } })
    const { loyalty_account } = expectOk(await admin.api.get(`/admin/loyalty/accounts/${ann.id}`), "GET account")
    // 100 for signing up, 50 for the review.
    expect(loyalty_account).toMatchObject({ points_balance: 150, points_lifetime: 150 })
  })

  it("the same type + reference with other data is refused with 422 and writes nothing", async () => {
    const res = await report({ customer_id: ann.id, type: "review", reference: "review_1", occurred_at: "2026-11-02T15:00:00Z", properties: { rating: 1 } })
    expect([res.status, res.body.code]).toEqual([422, "IDEMPOTENCY_CONFLICT"])
    expect(await entriesOf(ann.id)).toHaveLength(1)
  })

  it("the sixth review of a month writes no entry; the action is recorded as refused with the limit, shown by the admin API", async () => {
    for (let i = 2; i <= 5; i++) {
      expect((await report({ customer_id: ann.id, type: "review", reference: `review_${i}`, occurred_at: `2026-11-0${i + 1}T15:00:00Z` })).status).toBe(201)
    }
    const sixth = await report({ customer_id: ann.id, type: "review", reference: "review_6", occurred_at: "2026-11-30T15:00:00Z" })
    expect(sixth.status).toBe(201)
    expect(sixth.body).toMatchObject({ entry: null, action: { status: "refused", points: 0, reasons: [{ rule: "review-50", limit: "per_month", max: 5, period: "2026-11" }] } })
    expect(await entriesOf(ann.id)).toHaveLength(5)
    const listed = expectOk(await admin.api.get(`/admin/loyalty/actions?customer_id=${ann.id}&type=review&limit=1`), "GET /admin/loyalty/actions")
    expect(listed).toMatchObject({ count: 6, actions: [{ reference: "review_6", status: "refused", reasons: [{ message: expect.stringMatching(/at most 5 times a month/) }] }] })
    // December is a new month in New York.
    const december = await report({ customer_id: ann.id, type: "review", reference: "review_7", occurred_at: "2026-12-01T15:00:00Z" })
    expect(december.body).toMatchObject({ action: { status: "awarded" }, entry: { points: 50 } })
  })

  it("action entries are credits like any other: verify finds no drift and the entry can be explained", async () => {
    const verify = expectOk(await admin.api.get("/admin/loyalty/verify"), "GET /admin/loyalty/verify")
    expect(verify.ok).toBe(true)
    const [first] = await entriesOf(ann.id)
    const explained = expectOk(await admin.api.get(`/admin/loyalty/entries/${first.id}/explain`), "GET explain")
    expect(explained.rules_fired).toEqual([{ name: "review-50", type: "award_points", contribution: 50 }])
    expect(explained.facts).toMatchObject({ action: { type: "review", reference: "review_1", local_date: "2026-11-02" }, member: { customer_id: ann.id } })
    expect(explained.rulebook.files.map((f: { name: string }) => f.name)).toContain("actions.json")
  })

  it("a guest cannot earn, an unknown customer is a 404, and built-in types cannot be reported", async () => {
    expect((await report({ customer_id: "cus_nobody", type: "review", reference: "x1" })).status).toBe(404)
    const builtIn = await report({ customer_id: ann.id, type: "birthday", reference: "2026" })
    expect(builtIn.status).toBe(400)
    expect(builtIn.body.message).toMatch(/awarded by the plugin itself/)
  })

  it("simulating an action for a stored member counts their recorded awards (a full month refuses) and writes nothing", async () => {
    const rowsBefore = await query(store.databaseUrl, `SELECT count(*)::int AS n FROM loyalty_action`)
    const simulate = (body: Record<string, unknown>) => admin.api.post("/admin/loyalty/simulate", body)
    const stored = expectOk(await simulate({ action: { type: "review", reference: "sim_1", occurred_at: "2026-11-20T15:00:00Z" }, customer_id: ann.id }), "simulate for ann")
    expect(stored).toMatchObject({ points: 0, rule_names: [], refused: [{ rule: "review-50", limit: "per_month", max: 5, period: "2026-11" }], facts: { action: { type: "review", local_date: "2026-11-20" } } })
    const fresh = expectOk(await simulate({ action: { type: "review", occurred_at: "2026-11-20T15:00:00Z" } }), "simulate for a new member")
    expect(fresh).toMatchObject({ points: 50, rule_names: ["review-50"], contributions: [{ rule: "review-50", points: 50 }], refused: [] })
    expect((await simulate({ action: { type: "review" }, customer_id: "cus_nobody" })).status).toBe(404)
    expect(await query(store.databaseUrl, `SELECT count(*)::int AS n FROM loyalty_action`)).toEqual(rowsBefore)
  })
  it("a backtest re-evaluates the recorded reviews under a candidate: 80 instead of 50 moves each awarded review by +30, a lower monthly limit awards fewer", async () => {
    const cleo = await createCustomer(store)
    // Her signup award (from customer.created) lands first, so the entry count below is stable.
    await waitFor(async () => (await entriesOf(cleo.id, "signup")).length === 1 || null, { timeoutMs: 120_000, description: "cleo's signup entry" })
    // Six reviews in January 2027: five earn 50, the sixth is refused by the monthly limit of 5.
    for (let i = 1; i <= 6; i++) {
      expect((await report({ customer_id: cleo.id, type: "review", reference: `cleo_${i}`, occurred_at: `2027-01-0${i}T15:00:00Z` })).status).toBe(201)
    }
    const entriesBefore = await query(store.databaseUrl, `SELECT count(*)::int AS n FROM loyalty_ledger_entry`)
    const candidate = (review: Record<string, unknown>) => {
      const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).map((name) => ({ name, content: fs.readFileSync(path.join(dir, name), "utf8") }))
      const actions = files.find((f) => f.name === "actions.json")!
      const parsed = JSON.parse(actions.content)
      parsed.rules = parsed.rules.map((r: { name: string }) => (r.name === "review-50" ? { ...r, ...review } : r))
      actions.content = JSON.stringify(parsed)
      return files
    }
    const backtest = async (review: Record<string, unknown>) => {
      const res = await admin.api.post("/admin/loyalty/rules/backtest", { files: candidate(review), since: "2027-01-01T00:00:00Z" })
      backtestDocs.POST!.response.parse(res.body)
      return expectOk(res, "POST /admin/loyalty/rules/backtest")
    }

    const richer = await backtest({ event: { type: "award_points", params: { points: 80 } } })
    expect(richer).toMatchObject({
      orders_evaluated: 0, actions_evaluated: 6, actions_changed: 5, actions_skipped: 0,
      action_current_points: 250, action_candidate_points: 400, current_points: 250, candidate_points: 400, liability_delta_points: 150,
      members_evaluated: 1,
      // The sixth review earns nothing either way, so the member row counts 5 actions.
      members: [{ customer_id: cleo.id, email: cleo.email, orders: 0, actions: 5, current_points: 250, candidate_points: 400, delta_points: 150 }],
    })

    const stricter = await backtest({ limits: { per_month: 3 } })
    expect(stricter).toMatchObject({
      actions_evaluated: 6, actions_changed: 2, action_current_points: 250, action_candidate_points: 150, liability_delta_points: -100,
      members: [{ customer_id: cleo.id, actions: 5, current_points: 250, candidate_points: 150, delta_points: -100 }],
    })
    // The command line gets the same figures through the same backtestStore.
    const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-actions-candidate-"))
    try {
      for (const f of candidate({ event: { type: "award_points", params: { points: 80 } } })) fs.writeFileSync(path.join(rulesDir, f.name), f.content)
      const text = await cli(["backtest", "--rules", rulesDir, "--since", "2027-01-01", "--database-url", store.databaseUrl])
      expect(text.code).toBe(0)
      expect(text.stdout).toContain("actions evaluated: 6 (5 would earn differently), skipped: 0")
      expect(text.stdout).toContain("action points earned: 250, under the candidate: 400")
      expect(text.stdout).toContain("liability delta: +150")
    } finally {
      fs.rmSync(rulesDir, { recursive: true, force: true })
    }
    // Nothing was written by the backtests.
    expect(await query(store.databaseUrl, `SELECT count(*)::int AS n FROM loyalty_ledger_entry`)).toEqual(entriesBefore)
  })
})
