import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { execFile } from "child_process"
import fs from "fs"
import os from "os"
import path from "path"
import { promisify } from "util"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { createStore, waitFor } from "./store"

jest.setTimeout(300_000)

const run = promisify(execFile)
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
/** The activity chart's buckets by entry kind (docs/api.md). */
const BUCKET: Record<string, string> = {
  accrual: "issued_points", activation: "issued_points", action: "issued_points",
  redemption: "redeemed_points", redemption_void: "redeemed_points", expiry: "expired_points",
  clawback: "clawed_back_points", reversal: "clawed_back_points", adjustment: "adjusted_points",
}

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    let members: Array<{ id: string; headers: Record<string, string> }>
    const knex = () => getContainer().resolve<any>(ContainerRegistrationKeys.PG_CONNECTION)
    const loyalty = () => getContainer().resolve<any>(LOYALTY_MODULE)
    const rows = async (sql: string) => (await knex().raw(sql)).rows
    const refused = (p: Promise<unknown>) => p.then(() => ({ status: 200, data: null }), (e: any) => e.response)

    /** The app's database URL, as the CLI takes it. */
    async function databaseUrl(): Promise<string> {
      const [db] = await rows(`SELECT current_database() AS db, inet_server_port() AS port`)
      const [user, password] = [process.env.DB_USERNAME || "postgres", process.env.DB_PASSWORD || ""]
      return `postgres://${user}${password ? `:${password}` : ""}@${process.env.DB_HOST || "localhost"}:${db.port ?? 5432}/${db.db}`
    }

    // Real orders placed over HTTP and an admin correction: the ledger every test reads (the runner snapshots the
    // database after this hook, so each test starts from it).
    beforeAll(async () => {
      store = await createStore(api, getContainer())
      members = [await store.registerCustomer("reports-a@loyalty.test"), await store.registerCustomer("reports-b@loyalty.test")]
      for (const [i, member] of members.entries()) {
        const order = await store.placeOrder(member, [{ price: 100, quantity: 1 + i }])
        await waitFor(`accrual of ${order.id}`, () => loyalty().findEntryByKey(`order:${order.id}:accrual`))
      }
      const headers = { headers: { ...store.admin.headers, "idempotency-key": "reports-correction" } }
      await api.post(`/admin/loyalty/accounts/${members[1].id}/adjustments`, { points: -30, reason: "correction" }, headers)
    })

    it("answers the points activity per day as the ledger holds it, today's outstanding points being what members hold", async () => {
      const { data } = await api.get("/admin/loyalty/stats/activity", store.admin)
      const today = new Date().toISOString().slice(0, 10)
      expect(data.days).toHaveLength(30)
      expect([today, addDays(today, -1)]).toContain(data.to)
      expect(data.to).toBe(data.days[29].date)
      expect(data.from).toBe(data.days[0].date)
      const sums = await rows(
        `SELECT to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, kind, SUM(points)::int AS points
           FROM loyalty_ledger_entry GROUP BY 1, 2`
      )
      expect(sums.length).toBeGreaterThan(0)
      const expected: Record<string, Record<string, number>> = {}
      for (const s of sums) {
        const day = (expected[s.day] ??= {})
        day[BUCKET[s.kind]] = (day[BUCKET[s.kind]] ?? 0) + s.points
      }
      const zero = { issued_points: 0, redeemed_points: 0, expired_points: 0, clawed_back_points: 0, adjusted_points: 0 }
      for (const { outstanding_points: _held, ...day } of data.days) expect(day).toEqual({ date: day.date, ...zero, ...expected[day.date] })
      const [held] = await rows(`SELECT SUM(points_balance)::int AS total FROM loyalty_account`)
      const [ledger] = await rows(`SELECT SUM(points)::int AS total FROM loyalty_ledger_entry`)
      expect(held.total).toBe(ledger.total)
      expect(data.days[29].outstanding_points).toBe(held.total)
      // Two orders (100 + 100 first-order bonus, 200 + 100) and a correction of −30, whatever day they fell on.
      const total = (bucket: keyof typeof zero) => data.days.reduce((n: number, d: typeof zero) => n + d[bucket], 0)
      expect([total("issued_points"), total("adjusted_points"), held.total]).toEqual([500, -30, 470])
      // An explicit range: one day, the same figures.
      const { data: one } = await api.get(`/admin/loyalty/stats/activity?from=${data.to}&to=${data.to}`, store.admin)
      expect(one).toEqual({ from: data.to, to: data.to, days: [data.days[29]] })
    })

    it("answers members per tier of the live ladder, adding up to the accounts", async () => {
      const { data } = await api.get("/admin/loyalty/stats/tiers", store.admin)
      const counts = await rows(`SELECT tier, count(*)::int AS n FROM loyalty_account GROUP BY tier`)
      expect(data.tiers.map((t: { code: string }) => t.code)).toEqual(["bronze", "silver", "gold", "platinum"])
      for (const t of data.tiers) expect([t.code, t.members]).toEqual([t.code, counts.find((c: { tier: string }) => c.tier === t.code)?.n ?? 0])
      expect(data.tiers[0]).toEqual({ code: "bronze", name: "Bronze", members: 2 })
      expect(data.tiers.reduce((n: number, t: { members: number }) => n + t.members, 0)).toBe(counts.reduce((n: number, c: { n: number }) => n + c.n, 0))
    })

    it("answers the settings of the live program: options, program, rulebook version and the package's docs", async () => {
      const [{ data }, { data: rules }] = await Promise.all([api.get("/admin/loyalty/settings", store.admin), api.get("/admin/loyalty/rules", store.admin)])
      const program = JSON.parse(fs.readFileSync(path.join(rules.rules.rules_dir, "program.json"), "utf8"))
      expect(data.plugin_options).toEqual({ rules_dir: rules.rules.rules_dir, auto_enroll: true, watch_rules: false })
      expect(data.rulebook_version).toBe(rules.rules.version)
      expect(data.program).toMatchObject({ negative_balance: program.negative_balance, redemption: program.redemption })
      expect(Object.keys(data.program).sort()).toEqual(
        ["expiry", "expiry_reminder_days", "negative_balance", "pending_days", "redemption", "referral", "spendable_on", "timezone"]
      )
      expect(data.docs).toMatchObject({ readme: "README.md", "rule-files-reference": "rules/README.md" })
    })

    it("lists the live rulebook's files with their text", async () => {
      const [{ data }, { data: rules }] = await Promise.all([api.get("/admin/loyalty/rules/files", store.admin), api.get("/admin/loyalty/rules", store.admin)])
      expect(data.version).toBe(rules.rules.version)
      expect(data.files.map((f: { name: string }) => f.name)).toEqual(rules.rules.files)
      for (const f of data.files) expect(f.content).toBe(fs.readFileSync(path.join(rules.rules.rules_dir, f.name), "utf8"))
    })

    it("backtests a candidate over the store's orders: the liability delta the root CLI reports on the same database", async () => {
      const { data: live } = await api.get("/admin/loyalty/rules/files", store.admin)
      // The candidate earns 2 points per currency unit instead of 1: each order's amount points double.
      const files = live.files.map((f: { name: string; content: string }) => {
        if (f.name !== "accrual.json") return f
        const accrual = JSON.parse(f.content)
        accrual.rules.find((r: { name: string }) => r.name === "base-earn").event.params.points = 2
        return { name: f.name, content: JSON.stringify(accrual, null, 2) }
      })
      const { data } = await api.post("/admin/loyalty/rules/backtest", { files }, store.admin)
      // Orders of 100.00 and 200.00: 100 + 200 more points.
      expect(data).toMatchObject({
        live_rulebook_version: live.version,
        window: { since: null, limit_orders: 1000 },
        orders_evaluated: 2, orders_changed: 2, orders_skipped: 0,
        actions_evaluated: 0,
        liability_delta_points: 300,
        members_evaluated: 2,
      })
      expect(data.candidate_points - data.current_points).toBe(data.liability_delta_points)
      expect(data.members.map((m: { customer_id: string; delta_points: number }) => [m.customer_id, m.delta_points])).toEqual([
        [members[1].id, 200],
        [members[0].id, 100],
      ])
      // The map form of the same files answers the same figures.
      const map = Object.fromEntries(files.map((f: { name: string; content: string }) => [f.name, JSON.parse(f.content)]))
      const { data: byMap } = await api.post("/admin/loyalty/rules/backtest", { files: map, limit_orders: 1000 }, store.admin)
      expect({ ...byMap, evaluation_ms: 0 }).toEqual({ ...data, evaluation_ms: 0 })

      const cli = path.resolve(__dirname, "../../../dist/cli/index.js")
      if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build at the repository root first`)
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-v2-backtest-"))
      try {
        for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.content)
        const args = [cli, "backtest", "--rules", dir, "--database-url", await databaseUrl(), "--medusa-version", "2", "--limit", "1000", "--format", "json"]
        const report = JSON.parse((await run("node", args, { env: { ...process.env, MEDUSA_DISABLE_TELEMETRY: "true" } })).stdout)
        expect(report.totals.liability_delta).toBe(data.liability_delta_points)
        expect([report.totals.points_now, report.totals.points_candidate]).toEqual([data.current_points, data.candidate_points])
        expect(report.rulebook_version).toBe(data.rulebook_version)
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })

    it("refuses bad input with 400 and the plugin's error body, and answers 401 without authentication", async () => {
      // Requests made one at a time (thunks): a refusal must not reject before its turn to be awaited.
      const bad: Array<[string, () => Promise<unknown>, string]> = [
        ["reversed range", () => api.get("/admin/loyalty/stats/activity?from=2026-03-02&to=2026-03-01", store.admin), "INVALID_INPUT"],
        ["not a date", () => api.get("/admin/loyalty/stats/activity?from=2026-02-30", store.admin), "INVALID_INPUT"],
        ["over 366 days", () => api.get("/admin/loyalty/stats/activity?from=2024-01-01&to=2026-01-01", store.admin), "INVALID_INPUT"],
        ["unknown key", () => api.get("/admin/loyalty/stats/tiers?x=1", store.admin), "INVALID_INPUT"],
        ["unknown key", () => api.get("/admin/loyalty/settings?x=1", store.admin), "INVALID_INPUT"],
        ["unknown key", () => api.get("/admin/loyalty/rules/files?x=1", store.admin), "INVALID_INPUT"],
        ["no files", () => api.post("/admin/loyalty/rules/backtest", {}, store.admin), "INVALID_INPUT"],
        ["limit 0", () => api.post("/admin/loyalty/rules/backtest", { files: [{ name: "a.json", content: "{}" }], limit_orders: 0 }, store.admin), "INVALID_INPUT"],
        ["invalid candidate", () => api.post("/admin/loyalty/rules/backtest", { files: [{ name: "accrual.json", content: "{" }] }, store.admin), "RULES_INVALID"],
      ]
      for (const [what, request, code] of bad) {
        const res = await refused(request())
        expect([what, res.status, res.data.code, res.data.type]).toEqual([what, 400, code, "invalid_data"])
        expect(typeof res.data.message).toBe("string")
      }
      const invalid = await refused(api.post("/admin/loyalty/rules/backtest", { files: [{ name: "accrual.json", content: "{" }] }, store.admin))
      expect(invalid.data.issues[0]).toMatchObject({ file: "accrual.json" })
      for (const p of ["/admin/loyalty/stats/activity", "/admin/loyalty/stats/tiers", "/admin/loyalty/settings", "/admin/loyalty/rules/files"]) {
        expect([p, (await refused(api.get(p))).status]).toEqual([p, 401])
      }
      expect((await refused(api.post("/admin/loyalty/rules/backtest", { files: [] }))).status).toBe(401)
    })
  },
})
