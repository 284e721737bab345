import { execFileSync } from "child_process"
import fs from "fs"
import os from "os"
import path from "path"
import { createAdmin, createCustomer, createProduct, createRegion, placeOrder, query, REPO_ROOT, startStore, waitFor } from "../helpers/harness"
import type { Customer, Store } from "../helpers/harness"
import { cli } from "../helpers/cli"

/**
 * `medusa-loyalty review` as a merchant's CI runs it: a rulebook repository (git) whose last commit changes the
 * shipped rules, reviewed against the commit before it, with the backtest on a real v1 store's order history.
 */
describe("medusa-loyalty review of a rule change in a git repository", () => {
  let store: Store
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-review-repo-"))
  const rules = path.join(repo, "rules")
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  const review = (...args: string[]) => cli(["review", "--base", "HEAD~1", "--candidate", "rules", ...args], repo)
  const editJson = (file: string, edit: (json: any) => void) => {
    const json = JSON.parse(fs.readFileSync(file, "utf8"))
    edit(json)
    fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`)
  }
  /** Runs `work` with `file` edited, then puts the committed file back. */
  const withEdited = async (file: string, edit: (text: string) => string, work: () => Promise<void>) => {
    const original = fs.readFileSync(file, "utf8")
    fs.writeFileSync(file, edit(original))
    try {
      await work()
    } finally {
      fs.writeFileSync(file, original)
    }
  }

  beforeAll(async () => {
    // The rulebook repository: the shipped rules and golden tests as the base commit; the candidate commit adds a
    // 50-point bonus on orders from 500.00 and makes GOLD15 a 20 % discount (the golden tests still hold).
    fs.cpSync(path.join(REPO_ROOT, "rules"), rules, { recursive: true, filter: (src) => !src.includes(`${path.sep}schema`) })
    git("init", "-q")
    git("-c", "user.name=Merchant", "-c", "user.email=merchant@example.com", "add", ".")
    git("-c", "user.name=Merchant", "-c", "user.email=merchant@example.com", "commit", "-q", "-m", "shipped rules")
    editJson(path.join(rules, "accrual.json"), (f) => f.rules.push({
      name: "big-order-bonus",
      conditions: { all: [{ fact: "order", path: "$.subtotal", operator: "greaterThanInclusive", value: 50000 }] },
      event: { type: "fixed_bonus", params: { points: 50 } },
    }))
    editJson(path.join(rules, "promotions.json"), (f) => (f.promotions.find((p: { code: string }) => p.code === "GOLD15").discount.value = 20))
    git("-c", "user.name=Merchant", "-c", "user.email=merchant@example.com", "commit", "-q", "-a", "-m", "big-order bonus, gold 20 %")

    // The store's history under the shipped rules: three orders of 600.00, all over the candidate's threshold.
    store = await startStore({ pluginOptions: { auto_enroll: true } })
    const admin = await createAdmin(store)
    const region = await createRegion(admin)
    const variant = await createProduct(admin, { title: "Coat", price: 60000 })
    const ann = await createCustomer(store)
    const bob = await createCustomer(store)
    const place = async (customer: Customer) => {
      const order = await placeOrder(store, { token: customer, region, items: [{ variant_id: variant, quantity: 1 }] })
      await waitFor(async () => (await query(store.databaseUrl, `SELECT 1 FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'accrual'`, [order.id])).length === 1 || null, { timeoutMs: 120_000, description: `accrual of ${order.id}` })
    }
    await place(ann)
    await place(ann)
    await place(bob)
  })

  afterAll(async () => {
    await store?.stop()
    fs.rmSync(repo, { recursive: true, force: true })
  })

  it("reports the rule-by-rule diff, passing golden tests, samples and the backtest's own liability delta as JSON, exit 0", async () => {
    const entriesBefore = await query(store.databaseUrl, `SELECT count(*)::int AS n FROM loyalty_ledger_entry`)
    const r = await review("--database-url", store.databaseUrl, "--format", "json")
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.base).toMatchObject({ source: "HEAD~1:rules", status: "ok", version: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(report.candidate).toMatchObject({ rules_dir: "rules", files: 4, issues: [] })
    expect(report.golden).toMatchObject({ total: 9, passed: 9, failed: 0 })
    expect(report.diff.changes.map((c: { section: string; key: string; change: string; fields: string[] }) => [c.section, c.key, c.change, c.fields])).toEqual([
      ["accrual", "big-order-bonus", "added", ["name", "priority", "conditions", "event", "file"]],
      ["promotions", "GOLD15", "changed", ["discount"]],
    ])
    expect(report.diff.changes[1].changes).toEqual([{ pointer: "/discount/value", before: 15, after: 20 }])
    expect(report.samples.find((s: { name: string }) => s.name === "gold member, 250.00")).toMatchObject({ base: { points: 375 }, candidate: { points: 375 }, delta: 0, changed: false })

    const backtest = await cli(["backtest", "--rules", "rules", "--database-url", store.databaseUrl, "--format", "json"], repo)
    expect(backtest.code).toBe(0)
    const expected = JSON.parse(backtest.stdout)
    // Three orders over 500.00 each gain the 50-point bonus.
    expect(expected.totals.liability_delta).toBe(150)
    expect(report.backtest).toMatchObject({ liability_delta: expected.totals.liability_delta, points_now: expected.totals.points_now, points_candidate: expected.totals.points_candidate, orders_evaluated: 3, orders_changed: 3 })
    expect(report.backtest.members_changed.map((m: { customer_id: string; delta: number }) => [m.customer_id, m.delta])).toEqual(expected.members.map((m: { customer_id: string; delta: number }) => [m.customer_id, m.delta]))
    expect(report.backtest.top_movers[0]).toMatchObject({ delta: 100 })
    expect(report.verdict).toEqual({ ok: true, exit_code: 0, failures: [], warnings: [] })
    expect(await query(store.databaseUrl, `SELECT count(*)::int AS n FROM loyalty_ledger_entry`)).toEqual(entriesBefore)
  })

  it("renders the same review as a markdown PR comment; over --max-liability-delta it exits 3", async () => {
    const r = await review("--database-url", store.databaseUrl)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("## Loyalty rules review: ✅ ready to merge")
    expect(r.stdout).toContain("against base `HEAD~1:rules`")
    expect(r.stdout).toContain("✅ 9 passed, 0 failed.")
    expect(r.stdout).toContain("| accrual | `big-order-bonus` | added |")
    expect(r.stdout).toContain("| promotions | `GOLD15` | changed | `discount` |")
    expect(r.stdout).toContain("- `/discount/value`: `15` → `20`")
    expect(r.stdout).toContain("Liability delta: **+150 points**")

    const over = await review("--database-url", store.databaseUrl, "--max-liability-delta", "100")
    expect(over.code).toBe(3)
    expect(over.stdout).toContain("## Loyalty rules review: ⚠️ over the liability threshold")
    expect(over.stdout).toContain("- the liability delta +150 points exceeds the threshold of 100")
    expect((await review("--database-url", store.databaseUrl, "--max-liability-delta", "150")).code).toBe(0)
  })

  it("exits 1 when a golden test fails, naming the test and the differing field, in markdown and JSON", async () => {
    await withEdited(path.join(rules, "tests", "first-order.json"), (t) => t.replace('"points": 223', '"points": 999'), async () => {
      const md = await review()
      expect(md.code).toBe(1)
      expect(md.stdout).toContain("## Loyalty rules review: ❌ failed")
      expect(md.stdout).toContain("- 1 of 9 golden test(s) failed")
      expect(md.stdout).toContain("| ❌ | `rules/tests/first-order.json`")
      expect(md.stdout).toContain("`expect/points`: expected `999`, actual `223`")
      const json = await review("--format", "json")
      expect(json.code).toBe(1)
      const report = JSON.parse(json.stdout)
      expect(report.golden).toMatchObject({ total: 9, passed: 8, failed: 1 })
      expect(report.golden.tests.find((t: { status: string }) => t.status === "fail")).toMatchObject({ file: "rules/tests/first-order.json", diffs: [{ pointer: "/points", expected: 999, actual: 223 }] })
      expect(report.verdict).toMatchObject({ ok: false, exit_code: 1 })
    })
  })

  it("exits 1 when the candidate does not compile, locating the problem as validate does", async () => {
    await withEdited(path.join(rules, "accrual.json"), (t) => t.replace('"operator": "equal"', '"operator": "greaterThen"'), async () => {
      const validate = await cli(["validate", "rules", "--format", "json"], repo)
      const issue = JSON.parse(validate.stdout).issues[0]
      expect(issue).toMatchObject({ file: "rules/accrual.json", pointer: "/rules/0/conditions/all/0/operator", line: expect.any(Number), column: expect.any(Number) })
      const json = await review("--database-url", store.databaseUrl, "--format", "json")
      expect(json.code).toBe(1)
      const report = JSON.parse(json.stdout)
      expect(report.candidate.issues).toEqual(JSON.parse(validate.stdout).issues)
      // Nothing is evaluated under rules that do not compile.
      expect(report).toMatchObject({ golden: null, diff: null, samples: null, backtest: null, verdict: { exit_code: 1 } })
      const md = await review()
      expect(md.code).toBe(1)
      expect(md.stdout).toContain(`| \`rules/accrual.json:${issue.line}:${issue.column}\` | \`/rules/0/conditions/all/0/operator\` | unknown operator 'greaterThen', did you mean 'greaterThan'?`)
    })
  })

  it("exits 2 for a base that is neither a directory nor a commit", async () => {
    const r = await cli(["review", "--base", "no-such-branch", "--candidate", "rules"], repo)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("--base no-such-branch: neither a directory nor a commit")
  })
})
