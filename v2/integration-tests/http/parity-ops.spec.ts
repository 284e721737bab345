import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { buildMigrationScript, buildRevertMigrationScript, ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { execFile, execFileSync } from "child_process"
import fs from "fs"
import os from "os"
import path from "path"
import { accrueOrder } from "../../src/workflows/order-points/workflows"
import { createStore, waitFor } from "./store"

jest.setTimeout(600_000)

/**
 * v1 behaviours of the rules operations on a real 2.21 app, one boot: a rule file with a typo at boot, watch_rules,
 * a broken file on disk, action simulation and backtests, campaign windows in store time, `medusa-loyalty review`
 * against this store's database. The runner restores the database to its state after beforeAll before every test; the
 * rulebook lives in memory, so each test that edits the rule files puts them back.
 *
 * The rules directory (read through LOYALTY_V2_RULES_DIR, watched through LOYALTY_V2_WATCH_RULES, both before the app
 * boots): the package's rules with the store's calendar in New York and the campaigns example's action rules (a
 * review earns 50, at most 5 a store-local month); its accrual.json has a typo (`equals`) until beforeAll fixes it.
 */
const REPO = path.resolve(__dirname, "../../..")
const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-parity-ops-rules-"))
const shippedRules = path.join(REPO, "rules")
for (const name of fs.readdirSync(shippedRules)) {
  if (name.endsWith(".json")) fs.copyFileSync(path.join(shippedRules, name), path.join(rulesDir, name))
}
const campaigns = path.join(REPO, "examples", "rulebooks", "campaigns")
fs.copyFileSync(path.join(campaigns, "actions.json"), path.join(rulesDir, "actions.json"))
const shippedProgram = JSON.parse(fs.readFileSync(path.join(shippedRules, "program.json"), "utf8"))
fs.writeFileSync(path.join(rulesDir, "program.json"), JSON.stringify({ ...shippedProgram, timezone: "America/New_York" }, null, 2))
const shippedAccrual = fs.readFileSync(path.join(shippedRules, "accrual.json"), "utf8")
/** The shipped accrual.json with `points` per currency unit and the first rule's first operator as given. */
const accrualText = (points = 1, operator = "equal") => {
  const json = JSON.parse(shippedAccrual)
  json.rules[0].event.params.points = points
  json.rules[0].conditions.all[0].operator = operator
  return JSON.stringify(json, null, 2)
}
const accrualPath = path.join(rulesDir, "accrual.json")
fs.writeFileSync(accrualPath, accrualText(1, "equals"))
process.env.LOYALTY_V2_RULES_DIR = rulesDir
process.env.LOYALTY_V2_WATCH_RULES = "true"

const V2 = path.resolve(__dirname, "../..")
type Run = { code: number; stdout: string; stderr: string }
/**
 * This package's own medusa-loyalty CLI (its bin is src/core/cli, the root's src/cli copied by sync-core), run from
 * source (swc, no type check) in `cwd`: the command a merchant runs from the installed v2 package.
 */
function cli(args: string[], cwd: string): Promise<Run> {
  const env = { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", TS_NODE_PROJECT: path.join(V2, "tsconfig.json"), MEDUSA_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "1" }
  const argv = ["-r", require.resolve("ts-node/register"), path.join(V2, "src", "core", "cli", "index.ts"), ...args]
  return new Promise((resolve) => {
    execFile("node", argv, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    type Member = Awaited<ReturnType<typeof store.registerCustomer>>
    const knex = () => getContainer().resolve<any>(ContainerRegistrationKeys.PG_CONNECTION)
    const rows = async (sql: string, bindings: unknown[] = []) => (await knex().raw(sql, bindings)).rows
    const refused = (p: Promise<unknown>) => p.then((r: any) => r, (e: any) => e.response)
    const rules = async () => (await api.get("/admin/loyalty/rules", store.admin)).data.rules
    const accrualOf = (order_id: string) =>
      waitFor(`accrual of ${order_id}`, async () => (await rows(`SELECT id, points, rule_names, rulebook_version FROM loyalty_ledger_entry WHERE order_id = ? AND kind = 'accrual'`, [order_id]))[0])
    /** Orders placed while the test clock holds `at` get it as their created_at (the trigger below), so as their placed time. */
    const placeAt = async (customer: Member, at: string | null, price = 100) => {
      await rows(`DELETE FROM test_order_clock`)
      if (at) await rows(`INSERT INTO test_order_clock (at) VALUES (?)`, [at])
      try {
        return await store.placeOrder(customer, [{ price, quantity: 1 }])
      } finally {
        await rows(`DELETE FROM test_order_clock`)
      }
    }
    /** Writes accrual.json (and waits for the watcher to make it live and store it): the live version. */
    const liveAccrual = async (text: string) => {
      const before = (await rules()).version
      fs.writeFileSync(accrualPath, text)
      return await waitFor("the written accrual.json is live and stored", async () => {
        const r = await rules()
        if (r.last_reload_error || r.version === before) return null
        return (await rows(`SELECT 1 FROM loyalty_rulebook WHERE version = ?`, [r.version])).length ? (r.version as string) : null
      })
    }
    const backtest = async (body: Record<string, unknown>) => (await api.post("/admin/loyalty/rules/backtest", body, store.admin)).data
    /** The live files as POST /admin/loyalty/rules/backtest takes them, `edit` applied to each parsed file. */
    const liveFiles = async (edit: (name: string, json: any) => void = () => undefined) =>
      (await api.get("/admin/loyalty/rules/files", store.admin)).data.files.map((f: { name: string; content: string }) => {
        const json = JSON.parse(f.content)
        edit(f.name, json)
        return { name: f.name, content: JSON.stringify(json, null, 2) }
      })
    async function databaseUrl(): Promise<string> {
      const [db] = await rows(`SELECT current_database() AS db, inet_server_port() AS port`)
      const [user, password] = [process.env.DB_USERNAME || "postgres", process.env.DB_PASSWORD || ""]
      return `postgres://${user}${password ? `:${password}` : ""}@${process.env.DB_HOST || "localhost"}:${db.port ?? 5432}/${db.db}`
    }

    // What the store did while its accrual.json had a typo (observed at boot, asserted by the first test).
    const atBoot: Record<string, any> = {}
    const seeded: Record<string, any> = {}

    beforeAll(async () => {
      store = await createStore(api, getContainer(), [100, 600])
      await rows(`CREATE TABLE test_order_clock (at timestamptz NOT NULL)`)
      await rows(`
        CREATE FUNCTION test_order_clock() RETURNS trigger AS $$
        BEGIN
          NEW.created_at := coalesce((SELECT at FROM test_order_clock LIMIT 1), NEW.created_at);
          RETURN NEW;
        END;
        $$ LANGUAGE plpgsql`)
      await rows(`CREATE TRIGGER test_order_clock BEFORE INSERT ON "order" FOR EACH ROW EXECUTE FUNCTION test_order_clock()`)

      // The typo: the store answers, takes an order and serves the member's balance; the accrual explains why it awards nothing.
      atBoot.rules = await rules()
      const lena = await store.registerCustomer("lena@parity-ops.test")
      atBoot.order = await store.placeOrder(lena, [{ price: 100, quantity: 1 }])
      atBoot.failure = await accrueOrder(getContainer(), atBoot.order.id).then(() => null, (e: unknown) => e)
      atBoot.me = await refused(api.get("/store/customers/me/loyalty", { headers: lena.headers }))
      atBoot.lena = lena

      // Fixing the file makes it live without a restart (watch_rules), stored by version.
      atBoot.fixed = await liveAccrual(accrualText())

      // The review's store history under the shipped rules: three orders of 600.00, placed in October 2026.
      const ann = await store.registerCustomer("ann@parity-ops.test")
      const bob = await store.registerCustomer("bob@parity-ops.test")
      for (const [customer, at] of [[ann, "2026-10-01T12:00:00Z"], [ann, "2026-10-02T12:00:00Z"], [bob, "2026-10-03T12:00:00Z"]] as const) {
        await accrualOf((await placeAt(customer, at, 600)).id)
      }
      seeded.reviewMembers = [ann, bob]
    })

    afterAll(() => {
      delete process.env.LOYALTY_V2_RULES_DIR
      delete process.env.LOYALTY_V2_WATCH_RULES
      fs.rmSync(rulesDir, { recursive: true, force: true })
    })

    describe("broken-rules.test.ts: a store whose rule file has a typo", () => {
      it("still boots, takes orders and serves balances, awarding nothing and explaining why", async () => {
        // No rulebook is live, and the admin API says which file and where.
        expect(atBoot.rules).toMatchObject({ version: null, rules_dir: rulesDir })
        expect(atBoot.rules.last_reload_error.issues[0]).toMatchObject({ file: "accrual.json", pointer: "/rules/0/conditions/all/0/operator" })
        // The order was taken; its accrual refused with the located issue.
        expect(atBoot.order.id).toMatch(/^order_/)
        expect(atBoot.failure).toMatchObject({ name: "LoyaltyError", code: "RULES_UNAVAILABLE" })
        expect((atBoot.failure as Error).message).toContain("accrual.json")
        expect((atBoot.failure as Error).message).toContain("/rules/0/conditions/all/0/operator")
        expect(atBoot.me.status).toBe(200)
        expect(atBoot.me.data.loyalty_account).toMatchObject({ points_balance: 0 })
        expect(await rows(`SELECT id FROM loyalty_ledger_entry WHERE order_id = ? OR customer_id = ?`, [atBoot.order.id, atBoot.lena.id])).toEqual([])
        // The fixed file went live without a restart.
        expect(atBoot.fixed).toMatch(/^[0-9a-f]{64}$/)
      })
    })

    describe("rules-watch.test.ts: rules directory watching (watch_rules)", () => {
      it("makes a saved edit live within a second, stores the new version, and refuses a broken save keeping the last good one", async () => {
        const good = (await rules()).version
        const start = Date.now()
        const three = await liveAccrual(accrualText(3))
        // The watcher waits 300 ms for the editor's burst of writes; the reload itself is a compile and one insert.
        expect(Date.now() - start).toBeLessThan(5_000)
        expect(three).not.toBe(good)
        expect(await rows(`SELECT count(*)::int AS n FROM loyalty_rulebook WHERE version = ?`, [three])).toEqual([{ n: 1 }])

        fs.writeFileSync(accrualPath, accrualText(3, "equals"))
        const refusal = await waitFor("the broken save is refused", async () => (await rules()).last_reload_error)
        expect(refusal.issues[0]).toMatchObject({ file: "accrual.json", message: expect.stringContaining("did you mean 'equal'?") })
        expect((await rules()).version).toBe(three)

        fs.writeFileSync(accrualPath, accrualText())
        const fixed = await waitFor("the fixed file is live", async () => {
          const r = await rules()
          return r.last_reload_error === null && r.version !== three ? r.version : null
        })
        expect(fixed).toBe(good)
      })
    })

    describe("rules-admin.test.ts: a broken file on disk", () => {
      it("refuses a broken file on disk with located issues and keeps the previous rulebook earning", async () => {
        const live = (await rules()).version
        const mia = await store.registerCustomer("mia@parity-ops.test")
        try {
          fs.writeFileSync(accrualPath, accrualText(5, "equals"))
          const reload = await refused(api.post("/admin/loyalty/rules/reload", {}, store.admin))
          expect(reload.status).toBe(400)
          expect(reload.data).toMatchObject({ type: "invalid_data", code: "RULES_INVALID", message: expect.stringContaining(live) })
          expect(reload.data.issues[0]).toMatchObject({ file: "accrual.json", pointer: "/rules/0/conditions/all/0/operator", line: expect.any(Number) })
          const now = await rules()
          expect(now.version).toBe(live)
          expect(now.last_reload_error).toMatchObject({ at: expect.any(String), issues: [expect.objectContaining({ file: "accrual.json" })] })
          // The previous rulebook earns: 100.00 gives 100 points and the first-order bonus, under its version.
          const order = await store.placeOrder(mia, [{ price: 100, quantity: 1 }])
          expect(await accrualOf(order.id)).toMatchObject({ points: 200, rulebook_version: live })
          expect(await rows(`SELECT version FROM loyalty_rulebook WHERE version <> ?`, [live])).toEqual([])
        } finally {
          fs.writeFileSync(accrualPath, accrualText())
          await waitFor("the good file is live again", async () => (await rules()).last_reload_error === null)
        }
      })
    })

    describe("rules-admin.test.ts: the command line's simulate against this v2 store (--database-url)", () => {
      const entryCount = async () => (await rows(`SELECT count(*)::int AS n FROM loyalty_ledger_entry`))[0].n

      it("replays a stored order under a candidate rules directory from the command line (simulate --order <id>)", async () => {
        const nina = await store.registerCustomer("nina@parity-ops.test")
        const order = await store.placeOrder(nina, [{ price: 100, quantity: 1 }])
        await accrualOf(order.id)
        const before = await entryCount()
        const [accrual] = await rows(`SELECT details FROM loyalty_ledger_entry WHERE order_id = ? AND kind = 'accrual'`, [order.id])
        const seed003 = path.join(REPO, "examples", "rulebooks", "seed-003")
        const run = await cli(["simulate", "--order", order.id, "--rules", seed003, "--format", "json", "--database-url", await databaseUrl(), "--medusa-version", "2"], os.tmpdir())
        expect({ code: run.code, stderr: run.code ? run.stderr.slice(-2000) : "" }).toEqual({ code: 0, stderr: "" })
        const report = JSON.parse(run.stdout)
        // seed-003: 10 points per whole unit of the order total (110.00 with shipping).
        expect(accrual.details.facts.order.total).toBe(11000)
        expect(report).toMatchObject({ points: 1100, rule_names: expect.any(Array) })
        expect(report.facts.order.id).toBe(order.id)
        expect(report.facts.customer).toMatchObject({ id: nina.id, orders_count: 0 })
        expect(await entryCount()).toBe(before)
      })

      it("simulates an order for a stored customer as they are now (simulate --customer <id>), writing nothing", async () => {
        const before = await entryCount()
        // Bob of the seeded history: one order of 600.00 (600 + the first-order bonus), Bronze.
        const bob = seeded.reviewMembers[1] as Member
        const [account] = await rows(`SELECT points_balance, points_lifetime::float8 AS points_lifetime, tier FROM loyalty_account WHERE customer_id = ?`, [bob.id])
        expect(account).toEqual({ points_balance: 700, points_lifetime: 700, tier: "bronze" })
        const candidate = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-parity-ops-candidate-"))
        for (const f of fs.readdirSync(shippedRules).filter((n) => n.endsWith(".json"))) fs.copyFileSync(path.join(shippedRules, f), path.join(candidate, f))
        fs.writeFileSync(path.join(candidate, "accrual.json"), accrualText(2))
        const orderFile = path.join(os.tmpdir(), `order-${path.basename(candidate)}.json`) // not a rule file: outside the directory
        fs.writeFileSync(orderFile, JSON.stringify({ subtotal: 10000 }))
        try {
          const db = ["--database-url", await databaseUrl(), "--medusa-version", "2"]
          const run = await cli(["simulate", "--order", orderFile, "--customer", bob.id, "--rules", candidate, "--format", "json", ...db], os.tmpdir())
          expect({ code: run.code, stderr: run.code ? run.stderr.slice(-2000) : "" }).toEqual({ code: 0, stderr: "" })
          const report = JSON.parse(run.stdout)
          expect(report.facts.customer).toMatchObject({ id: bob.id, email: bob.email, orders_count: 1, ...account })
          // Not a first order any more: no bonus; 2 points per unit under the candidate rules.
          expect(report).toMatchObject({ points: 200, rule_names: ["base-earn"] })
          // The member after this order: the stored history plus this order, in every window.
          expect(report.facts.member).toMatchObject({ customer_id: bob.id, orders_count: 2, points_lifetime: 900, points_balance: 900, points_last_365d: 900 })
          expect(report.facts.member.spend_last_365d_minor).toBe(60000 + 10000)

          const missing = await cli(["simulate", "--order", orderFile, "--customer", "cus_01NOSUCHCUSTOMER", "--rules", candidate, ...db], os.tmpdir())
          expect(missing.code).toBe(1)
          expect(missing.stderr).toContain("customer cus_01NOSUCHCUSTOMER not found")
        } finally {
          fs.rmSync(orderFile, { force: true })
          fs.rmSync(candidate, { recursive: true, force: true })
        }
        expect(await entryCount()).toBe(before)
      })
    })

    describe("actions.test.ts: custom earning actions", () => {
      const report = (body: Record<string, unknown>) => api.post("/admin/loyalty/actions", body, store.admin)
      const actionCount = async () => (await rows(`SELECT count(*)::int AS n FROM loyalty_action`))[0].n

      it("simulating an action for a stored member counts their recorded awards (a full month refuses) and writes nothing", async () => {
        const ann = await store.registerCustomer("reviews@parity-ops.test")
        for (let i = 1; i <= 5; i++) {
          expect((await report({ customer_id: ann.id, type: "review", reference: `ann_${i}`, occurred_at: `2026-11-0${i + 1}T15:00:00Z` })).data.action.status).toBe("awarded")
        }
        const before = [await actionCount(), (await rows(`SELECT count(*)::int AS n FROM loyalty_ledger_entry`))[0].n]
        const simulate = (body: Record<string, unknown>) => refused(api.post("/admin/loyalty/simulate", body, store.admin))
        const stored = await simulate({ action: { type: "review", reference: "sim_1", occurred_at: "2026-11-20T15:00:00Z" }, customer_id: ann.id })
        expect(stored.status).toBe(200)
        expect(stored.data).toMatchObject({
          points: 0, rule_names: [], refused: [{ rule: "review-50", limit: "per_month", max: 5, period: "2026-11" }],
          facts: { action: { type: "review", local_date: "2026-11-20" } },
        })
        // December is another month in New York: the same member earns.
        expect((await simulate({ action: { type: "review", occurred_at: "2026-12-01T15:00:00Z" }, customer_id: ann.id })).data).toMatchObject({ points: 50, refused: [] })
        const fresh = await simulate({ action: { type: "review", occurred_at: "2026-11-20T15:00:00Z" } })
        expect(fresh.data).toMatchObject({ points: 50, rule_names: ["review-50"], contributions: [{ rule: "review-50", points: 50 }], refused: [] })
        const nobody = await simulate({ action: { type: "review" }, customer_id: "cus_nobody" })
        expect([nobody.status, nobody.data.code]).toEqual([404, "NOT_FOUND"])
        expect([await actionCount(), (await rows(`SELECT count(*)::int AS n FROM loyalty_ledger_entry`))[0].n]).toEqual(before)
      })

      it("a backtest re-evaluates the recorded reviews under a candidate: 80 instead of 50 moves each awarded review by +30, a lower monthly limit awards fewer", async () => {
        const cleo = await store.registerCustomer("cleo@parity-ops.test")
        // Six reviews in January 2027: five earn 50, the sixth is refused by the monthly limit of 5.
        for (let i = 1; i <= 6; i++) {
          expect((await report({ customer_id: cleo.id, type: "review", reference: `cleo_${i}`, occurred_at: `2027-01-0${i}T15:00:00Z` })).status).toBe(201)
        }
        const entriesBefore = await rows(`SELECT count(*)::int AS n FROM loyalty_ledger_entry`)
        const review = (change: Record<string, unknown>) => liveFiles((name, json) => {
          if (name === "actions.json") json.rules = json.rules.map((r: { name: string }) => (r.name === "review-50" ? { ...r, ...change } : r))
        })
        const richer = await backtest({ files: await review({ event: { type: "award_points", params: { points: 80 } } }), since: "2027-01-01T00:00:00Z" })
        expect(richer).toMatchObject({
          orders_evaluated: 0, actions_evaluated: 6, actions_changed: 5, actions_skipped: 0,
          action_current_points: 250, action_candidate_points: 400, current_points: 250, candidate_points: 400, liability_delta_points: 150,
          members_evaluated: 1,
          members: [{ customer_id: cleo.id, email: cleo.email, orders: 0, actions: 5, current_points: 250, candidate_points: 400, delta_points: 150 }],
        })
        const stricter = await backtest({ files: await review({ limits: { per_month: 3 } }), since: "2027-01-01T00:00:00Z" })
        expect(stricter).toMatchObject({
          actions_evaluated: 6, actions_changed: 2, action_current_points: 250, action_candidate_points: 150, liability_delta_points: -100,
          members: [{ customer_id: cleo.id, actions: 5, current_points: 250, candidate_points: 150, delta_points: -100 }],
        })
        expect(await rows(`SELECT count(*)::int AS n FROM loyalty_ledger_entry`)).toEqual(entriesBefore)
      })
    })

    describe("campaign-windows.test.ts: campaign windows and store-local time facts", () => {
      const base = { name: "base-earn", conditions: { all: [] }, event: { type: "points_per_amount", params: { points: 1, per_minor: 100 } } }
      const accrualWith = (extra: unknown[]) => JSON.stringify({ kind: "accrual", rules: [base, ...extra] }, null, 2)

      it("an order placed just inside a window earns the campaign even when its event is handled after the window closed; one placed just after does not", async () => {
        const ann = await store.registerCustomer("windows@parity-ops.test")
        // The window closed on 20 November 2026, one millisecond after the first order was placed; both order.placed
        // events are handled now, weeks later: the order's own placed time decides.
        const placed = Date.parse("2026-11-20T15:00:00.000Z")
        const ends_at = new Date(placed + 1).toISOString()
        try {
          await liveAccrual(accrualWith([{ name: "flash-double", starts_at: new Date(placed - 3_600_000).toISOString(), ends_at, conditions: { all: [] }, event: { type: "multiplier", params: { factor: 2 } } }]))
          const inside = await placeAt(ann, new Date(placed).toISOString())
          const outside = await placeAt(ann, new Date(placed + 2).toISOString())
          expect(Date.now()).toBeGreaterThan(placed + 1)
          expect(await accrualOf(inside.id)).toMatchObject({ points: 200, rule_names: ["base-earn", "flash-double"] })
          expect(await accrualOf(outside.id)).toMatchObject({ points: 100, rule_names: ["base-earn"] })
        } finally {
          await liveAccrual(accrualText())
        }
      })

      it("the Sunday rule follows the store's time zone (America/New_York): Monday 03:00 UTC is Sunday evening there, Sunday 03:00 UTC is Saturday", async () => {
        const ann = await store.registerCustomer("sunday@parity-ops.test")
        try {
          await liveAccrual(accrualWith([{
            name: "sunday-triple",
            conditions: { all: [{ fact: "order", path: "$.local_weekday", operator: "equal", value: "sunday" }] },
            event: { type: "multiplier", params: { factor: 3 } },
          }]))
          const sundayEvening = await placeAt(ann, "2026-11-30T03:00:00Z")
          const saturdayNight = await placeAt(ann, "2026-11-29T03:00:00Z")
          const sunday = await accrualOf(sundayEvening.id)
          expect(sunday).toMatchObject({ points: 300, rule_names: ["base-earn", "sunday-triple"] })
          expect(await accrualOf(saturdayNight.id)).toMatchObject({ points: 100, rule_names: ["base-earn"] })
          const explained = (await api.get(`/admin/loyalty/entries/${sunday.id}/explain`, store.admin)).data
          expect(explained.facts.order).toMatchObject({ id: sundayEvening.id, created_at: "2026-11-30T03:00:00.000Z" })
          expect(explained.rules_fired.map((r: { name: string }) => r.name)).toContain("sunday-triple")
        } finally {
          await liveAccrual(accrualText())
        }
      })
    })

    describe("campaigns-backtest.test.ts: backtest of the campaigns example", () => {
      it("a backtest of the example campaign program over a seeded history reports the liability delta per member", async () => {
        const [ann, bob, carl, dana] = await Promise.all(["bf", "sun", "mon", "late"].map((n) => store.registerCustomer(`campaign-${n}@parity-ops.test`)))
        // 100.00 EUR each, under the live (shipped) rules. Ann: two orders on Black Friday 2026 (New York); Bob: Sunday
        // afternoon in New York; Carl: a Monday; Dana: Monday 03:00Z, which is Sunday 22:00 in New York.
        for (const [customer, at] of [[ann, "2026-11-27T15:00:00Z"], [ann, "2026-11-27T16:00:00Z"], [bob, "2026-11-22T18:00:00Z"], [carl, "2026-11-23T18:00:00Z"], [dana, "2026-11-23T03:00:00Z"]] as const) {
          await accrualOf((await placeAt(customer, at)).id)
        }
        // The candidate: 1 point per unit, x2 on Black Friday, x3 on Sundays (store time), no first-order bonus.
        // The review's seeded history is in the store too: 600.00 on a Thursday, a Friday and a Saturday of October.
        const [reviewAnn, reviewBob] = seeded.reviewMembers as Member[]
        const expected: Record<string, number> = {
          [ann.id]: 200 + 200, [bob.id]: 300, [carl.id]: 100, [dana.id]: 300, [reviewAnn.id]: 600 + 600, [reviewBob.id]: 600,
        }
        const current: Record<string, number> = {}
        for (const c of [ann, bob, carl, dana, reviewAnn, reviewBob]) {
          current[c.id] = (await rows(`SELECT coalesce(sum(points + pending_delta), 0)::int AS p FROM loyalty_ledger_entry WHERE customer_id = ? AND kind = 'accrual'`, [c.id]))[0].p
        }
        const files = fs.readdirSync(campaigns).filter((f) => f.endsWith(".json")).map((name) => ({ name, content: fs.readFileSync(path.join(campaigns, name), "utf8") }))
        const report = await backtest({ files })
        expect(report).toMatchObject({ orders_evaluated: 3 + 5, orders_skipped: 0, members_evaluated: 6, live_rulebook_version: (await rules()).version })
        for (const c of [ann, bob, carl, dana, reviewAnn, reviewBob]) {
          expect(report.members.find((m: { customer_id: string }) => m.customer_id === c.id)).toMatchObject({
            customer_id: c.id, current_points: current[c.id], candidate_points: expected[c.id], delta_points: expected[c.id] - current[c.id],
          })
        }
        const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0)
        expect(report).toMatchObject({ current_points: sum(current), candidate_points: sum(expected), liability_delta_points: sum(expected) - sum(current) })
        expect(await rows(`SELECT count(*)::int AS n FROM loyalty_ledger_entry WHERE kind = 'accrual'`)).toEqual([{ n: 3 + 5 }])
      })
    })

    describe("review.test.ts: medusa-loyalty review of a rule change against this v2 store", () => {
      // A rulebook repository (git): the shipped rules and golden tests as the base commit; the candidate commit adds a
      // 50-point bonus on orders from 500.00 and makes GOLD15 a 20 % discount (the golden tests still hold).
      const repo = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-parity-ops-review-"))
      const repoRules = path.join(repo, "rules")
      const git = (...args: string[]) =>
        execFileSync("git", ["-c", "user.name=Merchant", "-c", "user.email=merchant@example.com", ...args], { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
      const editJson = (file: string, edit: (json: any) => void) => {
        const json = JSON.parse(fs.readFileSync(file, "utf8"))
        edit(json)
        fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`)
      }
      const withEdited = async (file: string, edit: (text: string) => string, work: () => Promise<void>) => {
        const original = fs.readFileSync(file, "utf8")
        fs.writeFileSync(file, edit(original))
        try {
          await work()
        } finally {
          fs.writeFileSync(file, original)
        }
      }
      let db = ""
      const review = (...args: string[]) => cli(["review", "--base", "HEAD~1", "--candidate", "rules", ...args], repo)
      const onStore = () => ["--database-url", db, "--medusa-version", "2"]

      beforeAll(async () => {
        fs.cpSync(shippedRules, repoRules, { recursive: true, filter: (src) => !src.includes(`${path.sep}schema`) })
        git("init", "-q")
        git("add", ".")
        git("commit", "-q", "-m", "shipped rules")
        editJson(path.join(repoRules, "accrual.json"), (f) => f.rules.push({
          name: "big-order-bonus",
          conditions: { all: [{ fact: "order", path: "$.subtotal", operator: "greaterThanInclusive", value: 50000 }] },
          event: { type: "fixed_bonus", params: { points: 50 } },
        }))
        editJson(path.join(repoRules, "promotions.json"), (f) => (f.promotions.find((p: { code: string }) => p.code === "GOLD15").discount.value = 20))
        git("commit", "-q", "-a", "-m", "big-order bonus, gold 20 %")
        db = await databaseUrl()
      })

      afterAll(() => fs.rmSync(repo, { recursive: true, force: true }))

      it("reports the rule-by-rule diff, passing golden tests, samples and the backtest's own liability delta as JSON, exit 0", async () => {
        const entriesBefore = await rows(`SELECT count(*)::int AS n FROM loyalty_ledger_entry`)
        const r = await review(...onStore(), "--format", "json")
        expect({ code: r.code, stderr: r.code ? r.stderr.slice(-2000) : "" }).toEqual({ code: 0, stderr: "" })
        const report = JSON.parse(r.stdout)
        expect(report.base).toMatchObject({ source: "HEAD~1:rules", status: "ok", version: expect.stringMatching(/^[0-9a-f]{64}$/) })
        expect(report.candidate).toMatchObject({ rules_dir: "rules", issues: [] })
        expect(report.golden).toMatchObject({ total: 9, passed: 9, failed: 0 })
        expect(report.diff.changes.map((c: { section: string; key: string; change: string; fields: string[] }) => [c.section, c.key, c.change, c.fields])).toEqual([
          ["accrual", "big-order-bonus", "added", ["name", "priority", "conditions", "event", "file"]],
          ["promotions", "GOLD15", "changed", ["discount"]],
        ])
        expect(report.diff.changes[1].changes).toEqual([{ pointer: "/discount/value", before: 15, after: 20 }])
        expect(report.samples.find((s: { name: string }) => s.name === "gold member, 250.00")).toMatchObject({ base: { points: 375 }, candidate: { points: 375 }, delta: 0, changed: false })

        const backtest = await cli(["backtest", "--rules", "rules", ...onStore(), "--format", "json"], repo)
        expect(backtest.code).toBe(0)
        const expected = JSON.parse(backtest.stdout)
        // The three seeded orders of 600.00 each gain the 50-point bonus.
        expect(expected.totals.liability_delta).toBe(150)
        expect(report.backtest).toMatchObject({ liability_delta: 150, points_now: expected.totals.points_now, points_candidate: expected.totals.points_candidate, orders_evaluated: 3, orders_changed: 3 })
        expect(report.backtest.members_changed.map((m: { customer_id: string; delta: number }) => [m.customer_id, m.delta])).toEqual(expected.members.map((m: { customer_id: string; delta: number }) => [m.customer_id, m.delta]))
        expect(report.backtest.top_movers[0]).toMatchObject({ customer_id: seeded.reviewMembers[0].id, delta: 100 })
        expect(report.verdict).toEqual({ ok: true, exit_code: 0, failures: [], warnings: [] })
        expect(await rows(`SELECT count(*)::int AS n FROM loyalty_ledger_entry`)).toEqual(entriesBefore)
      })

      it("renders the same review as a markdown PR comment; over --max-liability-delta it exits 3", async () => {
        const r = await review(...onStore())
        expect(r.code).toBe(0)
        expect(r.stdout).toContain("## Loyalty rules review: ✅ ready to merge")
        expect(r.stdout).toContain("against base `HEAD~1:rules`")
        expect(r.stdout).toContain("✅ 9 passed, 0 failed.")
        expect(r.stdout).toContain("| accrual | `big-order-bonus` | added |")
        expect(r.stdout).toContain("| promotions | `GOLD15` | changed | `discount` |")
        expect(r.stdout).toContain("- `/discount/value`: `15` → `20`")
        expect(r.stdout).toContain("Liability delta: **+150 points**")
        const over = await review(...onStore(), "--max-liability-delta", "100")
        expect(over.code).toBe(3)
        expect(over.stdout).toContain("## Loyalty rules review: ⚠️ over the liability threshold")
        expect(over.stdout).toContain("- the liability delta +150 points exceeds the threshold of 100")
        expect((await review(...onStore(), "--max-liability-delta", "150")).code).toBe(0)
      })

      it("exits 1 when a golden test fails, naming the test and the differing field, in markdown and JSON", async () => {
        await withEdited(path.join(repoRules, "tests", "first-order.json"), (t) => t.replace('"points": 223', '"points": 999'), async () => {
          const md = await review(...onStore())
          expect(md.code).toBe(1)
          expect(md.stdout).toContain("## Loyalty rules review: ❌ failed")
          expect(md.stdout).toContain("- 1 of 9 golden test(s) failed")
          expect(md.stdout).toContain("| ❌ | `rules/tests/first-order.json`")
          expect(md.stdout).toContain("`expect/points`: expected `999`, actual `223`")
          const json = await review(...onStore(), "--format", "json")
          expect(json.code).toBe(1)
          const report = JSON.parse(json.stdout)
          expect(report.golden).toMatchObject({ total: 9, passed: 8, failed: 1 })
          expect(report.golden.tests.find((t: { status: string }) => t.status === "fail")).toMatchObject({ file: "rules/tests/first-order.json", diffs: [{ pointer: "/points", expected: 999, actual: 223 }] })
          expect(report.verdict).toMatchObject({ ok: false, exit_code: 1 })
        })
      })

      it("exits 1 when the candidate does not compile, locating the problem as validate does", async () => {
        await withEdited(path.join(repoRules, "accrual.json"), (t) => t.replace('"operator": "equal"', '"operator": "greaterThen"'), async () => {
          const validate = await cli(["validate", "rules", "--format", "json"], repo)
          const issue = JSON.parse(validate.stdout).issues[0]
          expect(issue).toMatchObject({ file: "rules/accrual.json", pointer: "/rules/0/conditions/all/0/operator", line: expect.any(Number), column: expect.any(Number) })
          const json = await review(...onStore(), "--format", "json")
          expect(json.code).toBe(1)
          const report = JSON.parse(json.stdout)
          expect(report.candidate.issues).toEqual(JSON.parse(validate.stdout).issues)
          // Nothing is evaluated under rules that do not compile.
          expect(report).toMatchObject({ golden: null, diff: null, samples: null, backtest: null, verdict: { exit_code: 1 } })
          const md = await review(...onStore())
          expect(md.code).toBe(1)
          expect(md.stdout).toContain(`| \`rules/accrual.json:${issue.line}:${issue.column}\` | \`/rules/0/conditions/all/0/operator\` | unknown operator 'greaterThen', did you mean 'greaterThan'?`)
        })
      })

      it("exits 2 for a base that is neither a directory nor a commit", async () => {
        const r = await cli(["review", "--base", "no-such-branch", "--candidate", "rules", ...onStore()], repo)
        expect(r.code).toBe(2)
        expect(r.stderr).toContain("--base no-such-branch: neither a directory nor a commit")
      })
    })

    describe("migrations.test.ts: the plugin module's migrations", () => {
      const tables = async () => (await rows(`SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'loyalty_%' ORDER BY 1`)).map((r: any) => r.table_name)
      const indexes = async () => (await rows(`SELECT indexname FROM pg_indexes WHERE tablename LIKE 'loyalty_%' ORDER BY 1`)).map((r: any) => r.indexname)
      const functions = async () => (await rows(`SELECT proname FROM pg_proc WHERE proname LIKE 'loyalty_%' ORDER BY 1`)).map((r: any) => r.proname)
      /** Which of the module's migrations Medusa's migrations table records as run, in the order they ran. */
      const ran = async (names: string[]) => (await rows(`SELECT name FROM mikro_orm_migrations WHERE name = ANY(?) ORDER BY id`, [names])).map((r: any) => r.name)

      it("undoes every plugin migration newest first, leaving no loyalty table, then redoes them", async () => {
        // Medusa's own scripts for a module's migrations (db:migrate runs the first, db:rollback the second), given
        // every migration of the loyalty module, on this app's database.
        const pathToMigrations = path.resolve(__dirname, "../../src/modules/loyalty/migrations")
        const names = fs.readdirSync(pathToMigrations).filter((f) => /^Migration\d+\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, "")).sort()
        expect(names.length).toBeGreaterThanOrEqual(4)
        const options = { database: { clientUrl: await databaseUrl(), schema: "public" } }
        const log: string[] = []
        const logger = { info: (m: string) => log.push(m), error: (m: string) => log.push(m), warn: (m: string) => log.push(m) }
        const before = { tables: await tables(), indexes: await indexes(), functions: await functions() }
        expect(before.tables).toEqual(expect.arrayContaining(["loyalty_account", "loyalty_ledger_entry", "loyalty_redemption"]))
        expect(before.functions.length).toBeGreaterThan(0)
        expect(await ran(names)).toEqual(names)

        await buildRevertMigrationScript({ moduleName: "loyalty", pathToMigrations })({ options, logger, migrationNames: names } as any)
        expect(log.filter((l) => l.includes("Reverted Migration")).map((l) => l.replace(/.*Reverted /, ""))).toEqual([...names].reverse())
        expect(await tables()).toEqual([])
        expect(await functions()).toEqual([])
        expect(await ran(names)).toEqual([])

        await buildMigrationScript({ moduleName: "loyalty", pathToMigrations })({ options, logger } as any)
        expect(await ran(names)).toEqual(names)
        expect({ tables: await tables(), indexes: await indexes(), functions: await functions() }).toEqual(before)
      })
    })
  },
})
