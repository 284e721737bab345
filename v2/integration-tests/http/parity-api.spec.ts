import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { execFile } from "child_process"
import fs from "fs"
import http from "http"
import net from "net"
import os from "os"
import path from "path"
import { promisify } from "util"
import { answerProblems, type OpenApiDocument } from "../../src/core/domain/http/openapi-document"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { discoverRoutes, generateOpenApi } from "../../src/lib/openapi"
import { accrueOrderWorkflow } from "../../src/workflows/order-points/workflows"
import { createStore, waitFor } from "./store"

jest.setTimeout(600_000)

/**
 * The admin and store API behaviours the v1 suite proves on Medusa 1.20 (tests/integration/<file>, one describe per
 * file), proven on a real Medusa 2.21 app over HTTP: real customers, carts and orders, cancels; the v2 package's own
 * CLI against the app's database. The runner restores the database to its state after beforeAll before each test.
 */

const V2 = path.resolve(__dirname, "..", "..")
const API_DIR = path.join(V2, "src", "api")
// This suite's own copy of the rules (read before the app boots): the promotions test edits promotions.json in it.
const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-parity-api-rules-"))
for (const name of fs.readdirSync(path.join(V2, "rules"))) {
  if (name.endsWith(".json")) fs.copyFileSync(path.join(V2, "rules", name), path.join(rulesDir, name))
}
process.env.LOYALTY_V2_RULES_DIR = rulesDir

const run = promisify(execFile)
// The v2 package's `medusa-loyalty` bin from its sources (src/core/cli, what the package builds its bin from), run from
// a copy taken at load: `npm run sync-core` replaces src/core, and must not pull files from under a running command.
const cliCore = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-parity-api-cli-"))
fs.cpSync(path.join(V2, "src", "core"), cliCore, { recursive: true })
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env, NODE_PATH: path.join(V2, "node_modules"), TS_NODE_PROJECT: path.join(V2, "tsconfig.json"), TS_NODE_TRANSPILE_ONLY: "1",
    MEDUSA_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "1",
  }
  try {
    const { stdout, stderr } = await run("node", ["-r", require.resolve("ts-node/register"), path.join(cliCore, "cli", "index.ts"), ...args], { cwd: V2, env })
    return { code: 0, stdout, stderr }
  } catch (e: any) {
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" }
  }
}

const timings: Record<string, number> = {}

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    type Member = Awaited<ReturnType<typeof store.registerCustomer>>
    let ann: Member // two orders: 200 + 100 points
    let ben: Member // one order: 200 points
    let orderIds: string[] = []
    let annCart: string // an open cart of ann's (the cart routes' id)
    const loyalty = () => getContainer().resolve<any>(LOYALTY_MODULE)
    const knex = () => getContainer().resolve<any>(ContainerRegistrationKeys.PG_CONNECTION)
    const sql = async (text: string, params: unknown[] = []): Promise<any[]> => (await knex().raw(text, params)).rows
    const refused = (p: Promise<unknown>): Promise<any> => p.then((r) => r, (e: any) => e.response)
    const entryByKey = (key: string) => loyalty().findEntryByKey(key)
    const entriesOf = async (customer_id: string) =>
      (await sql(`SELECT kind, points FROM loyalty_ledger_entry WHERE customer_id = ? ORDER BY seq`, [customer_id])).map((r) => [r.kind, r.points])
    const adjust = (customer_id: string, body: unknown, key?: string) =>
      refused(api.post(`/admin/loyalty/accounts/${customer_id}/adjustments`, body, { headers: { ...store.admin.headers, ...(key ? { "idempotency-key": key } : {}) } }))
    const ledgerSnapshot = async () => ({
      entries: await sql(`SELECT id, points, balance_after FROM loyalty_ledger_entry ORDER BY seq`),
      accounts: await sql(`SELECT customer_id, points_balance, points_lifetime::text, points_pending, tier FROM loyalty_account ORDER BY id`),
      redemptions: await sql(`SELECT id, points, amount_minor, status FROM loyalty_redemption ORDER BY id`),
      promotions: (await sql(`SELECT count(*)::int AS n FROM promotion`))[0].n,
    })
    const member = async (email: string, points = 0) => {
      const c = await store.registerCustomer(email)
      await waitFor(`${email}'s account`, () => loyalty().findAccount(c.id))
      if (points) expect((await adjust(c.id, { points, reason: "seed" }, `seed-${c.id}`)).status).toBe(200)
      return c
    }
    const accrued = async (c: Member, price = 100) => {
      const order = await store.placeOrder(c, [{ price, quantity: 1 }])
      await waitFor(`the accrual of ${order.id}`, () => entryByKey(`order:${order.id}:accrual`))
      return order
    }

    beforeAll(async () => {
      const start = Date.now()
      store = await createStore(api, getContainer(), [100])
      ann = await member("ann@parity-api.test")
      ben = await member("ben@parity-api.test")
      for (const email of ["cy@parity-api.test", "dee@parity-api.test", "eli@parity-api.test"]) await member(email)
      orderIds = [(await accrued(ann)).id, (await accrued(ann)).id, (await accrued(ben)).id]
      annCart = (await api.post("/store/carts", { region_id: store.region.id, sales_channel_id: store.sc }, { headers: ann.headers })).data.cart.id
      await api.post(`/store/carts/${annCart}/line-items`, { variant_id: await store.variantAt(100), quantity: 1 }, { headers: ann.headers })
      // The member promotions exist before the snapshot (reconcile is idempotent; the boot may have run it already).
      await api.post("/admin/loyalty/promotions/reconcile", {}, store.admin)
      timings["setup"] = Date.now() - start
    })

    afterAll(() => {
      fs.rmSync(rulesDir, { recursive: true, force: true })
      fs.rmSync(cliCore, { recursive: true, force: true })
      // eslint-disable-next-line no-console
      console.log(`v2 parity-api timings (ms): ${JSON.stringify(timings)}`)
    })

    describe("accrual-facts.test.ts", () => {
      it("answers Medusa's not-found error naming the order for a simulation of an unknown order id", async () => {
        const res = await refused(api.post("/admin/loyalty/simulate", { order_id: "order_missing" }, store.admin))
        expect([res.status, res.data.type]).toEqual([404, "not_found"])
        expect(res.data.message).toContain("order_missing")
      })
    })

    describe("accrual.test.ts", () => {
      it("awards nothing for a guest order and does not fail", async () => {
        const h = { headers: store.pk }
        const { data: { cart } } = await api.post("/store/carts", { region_id: store.region.id, sales_channel_id: store.sc, email: "guest@parity-api.test" }, h)
        await api.post(`/store/carts/${cart.id}/line-items`, { variant_id: await store.variantAt(100), quantity: 1 }, h)
        await api.post(`/store/carts/${cart.id}`, { shipping_address: { first_name: "G", last_name: "U", address_1: "1 St", city: "Berlin", postal_code: "10115", country_code: "de" } }, h)
        const { data: { shipping_options } } = await api.get(`/store/shipping-options?cart_id=${cart.id}`, h)
        await api.post(`/store/carts/${cart.id}/shipping-methods`, { option_id: shipping_options[0].id }, h)
        const { data: { payment_collection } } = await api.post("/store/payment-collections", { cart_id: cart.id }, h)
        await api.post(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: "pp_system_default" }, h)
        const { data } = await api.post(`/store/carts/${cart.id}/complete`, {}, h)
        expect(data.type).toBe("order")
        const order = data.order
        // The accrual workflow the order.placed subscriber runs, run again here: it finishes without an error.
        const { errors } = await accrueOrderWorkflow(getContainer()).run({ input: { order_id: order.id }, throwOnError: false })
        expect(errors).toEqual([])
        // A registered member's order placed after it is accrued: the bus has handled the guest's order.placed too.
        await accrued(ben)
        expect(await sql(`SELECT id FROM loyalty_ledger_entry WHERE order_id = ?`, [order.id])).toEqual([])
        const [{ customer_id }] = await sql(`SELECT customer_id FROM "order" WHERE id = ?`, [order.id])
        expect(await sql(`SELECT id FROM loyalty_account WHERE customer_id = ?`, [customer_id])).toEqual([])
      })

      it("opens an account on first need for a customer created before the plugin was installed", async () => {
        const frank = await member("frank@parity-api.test")
        // A pre-install customer: no account row (nothing references it yet).
        await sql(`DELETE FROM loyalty_account WHERE customer_id = ?`, [frank.id])
        const { data } = await api.get("/store/customers/me/loyalty", { headers: frank.headers })
        expect(data.loyalty_account).toMatchObject({ customer_id: frank.id, points_balance: 0 })
        const order = await accrued(frank)
        expect((await entryByKey(`order:${order.id}:accrual`)).points).toBe(200) // 100 + the first-order bonus
      })

      it("answers 401 to a customer token on the admin routes GET /admin/loyalty/accounts and GET /admin/loyalty/accounts/:customer_id", async () => {
        for (const p of ["/admin/loyalty/accounts", `/admin/loyalty/accounts/${ann.id}`]) {
          expect([p, (await refused(api.get(p, { headers: ann.headers }))).status]).toEqual([p, 401])
        }
      })

      it("lists accounts for the admin with search by email and pagination", async () => {
        const { data: found } = await api.get(`/admin/loyalty/accounts?q=${encodeURIComponent(ben.email)}`, store.admin)
        expect(found).toMatchObject({ count: 1, limit: 20, offset: 0 })
        expect(found.loyalty_accounts[0]).toMatchObject({ customer_id: ben.id, email: ben.email, points_balance: 200 })
        const { data: page } = await api.get("/admin/loyalty/accounts?limit=2&offset=1", store.admin)
        expect(page.loyalty_accounts).toHaveLength(2)
        expect(page.count).toBe(5)
        const { data: all } = await api.get("/admin/loyalty/accounts?limit=5", store.admin)
        expect(page.loyalty_accounts.map((a: { customer_id: string }) => a.customer_id)).toEqual(all.loyalty_accounts.slice(1, 3).map((a: { customer_id: string }) => a.customer_id))
        const { data: one } = await api.get(`/admin/loyalty/accounts/${ben.id}`, store.admin)
        expect(one.loyalty_account).toMatchObject({ customer_id: ben.id, points_balance: 200 })
      })

      it("answers 400 naming the field for GET /admin/loyalty/accounts with limit=abc, limit=500, offset=-1 or sort=email", async () => {
        for (const [query, field] of [["limit=abc", "query.limit"], ["limit=500", "query.limit"], ["offset=-1", "query.offset"], ["sort=email", "sort"]]) {
          const res = await refused(api.get(`/admin/loyalty/accounts?${query}`, store.admin))
          expect([query, res.status, res.data.type]).toEqual([query, 400, "invalid_data"])
          expect(res.data.message).toContain(field)
        }
      })

      it("answers 404 naming the customer on the admin account and entries routes for an unknown customer", async () => {
        for (const p of ["/admin/loyalty/accounts/cus_missing", "/admin/loyalty/accounts/cus_missing/entries"]) {
          const res = await refused(api.get(p, store.admin))
          expect([p, res.status]).toEqual([p, 404])
          expect(res.data.message).toContain("cus_missing")
        }
      })
    })

    describe("adjustments.test.ts", () => {
      it("answers 400 naming the field for each invalid adjustment body or Idempotency-Key, and writes nothing", async () => {
        const cases: Array<[unknown, string | undefined, string]> = [
          [{ points: 1.5, reason: "x" }, "k1", "body.points"],
          [{ points: 0, reason: "x" }, "k2", "body.points"],
          [{ points: "10", reason: "x" }, "k3", "body.points"],
          [{ points: 10 }, "k4", "body.reason"],
          [{ points: 10, reason: "  " }, "k5", "body.reason"],
          [{ points: 10, reason: "x", note: "y" }, "k6", "note"],
          [{ points: 10, reason: "x" }, undefined, "Idempotency-Key"],
          [{ points: 10, reason: "x" }, "bad key with spaces", "Idempotency-Key"],
        ]
        for (const [body, key, field] of cases) {
          const res = await adjust(ben.id, body, key)
          expect([JSON.stringify(body), key, res.status]).toEqual([JSON.stringify(body), key, 400])
          expect(res.data.message).toContain(field)
        }
        expect(await entriesOf(ben.id)).toEqual([["accrual", 200]])
      })

      it("answers 404 naming the customer for an adjustment of an unknown customer", async () => {
        const res = await adjust("cus_nobody", { points: 10, reason: "x" }, "adj-nobody")
        expect(res.status).toBe(404)
        expect(res.data.message).toContain("cus_nobody")
        expect(await sql(`SELECT id FROM loyalty_ledger_entry WHERE customer_id = 'cus_nobody'`)).toEqual([])
      })

      it("lets a canceled order's reversal take the balance below zero under the default program", async () => {
        const eva = await member("eva@parity-api.test")
        const order = await accrued(eva) // 200
        expect((await adjust(eva.id, { points: -150, reason: "redeemed in store" }, "adj-eva-1")).status).toBe(200)
        await api.post(`/admin/orders/${order.id}/cancel`, {}, store.admin)
        await waitFor("the reversal", () => entryByKey(`order:${order.id}:cancel`))
        expect(await entriesOf(eva.id)).toEqual([["accrual", 200], ["adjustment", -150], ["reversal", -200]])
        const { data } = await api.get("/store/customers/me/loyalty", { headers: eva.headers })
        expect(data.loyalty_account.points_balance).toBe(-150)
      })
    })

    describe("admin-stats.test.ts", () => {
      it("buckets by UTC day, zero-fills quiet days and starts the outstanding points from everything before the range", async () => {
        // A member from long ago (January 2025), with a consistent chain.
        await sql(`INSERT INTO loyalty_account (id, customer_id, points_balance, points_lifetime, points_pending, tier) VALUES ('lacc_hist', 'cus_hist', 650, 1050, 0, 'bronze')`)
        const history: Array<[string, number, number, string]> = [
          ["accrual", 1000, 1000, "2025-01-10T12:00:00Z"],
          ["redemption", -300, 700, "2025-01-11T23:59:59.999Z"],
          ["adjustment", 50, 750, "2025-01-12T00:00:00Z"],
          ["expiry", -100, 650, "2025-01-14T10:00:00Z"],
        ]
        for (const [i, [kind, points, balance_after, created_at]] of history.entries()) {
          await sql(
            `INSERT INTO loyalty_ledger_entry (id, account_id, customer_id, kind, points, balance_after, idempotency_key, payload_hash, created_at)
             VALUES (?, 'lacc_hist', 'cus_hist', ?, ?, ?, ?, 'x', ?)`,
            [`lent_hist_${i}`, kind, points, balance_after, `hist-${i}`, created_at]
          )
        }
        const { data } = await api.get("/admin/loyalty/stats/activity?from=2025-01-11&to=2025-01-14", store.admin)
        const zero = { issued_points: 0, redeemed_points: 0, expired_points: 0, clawed_back_points: 0, adjusted_points: 0 }
        expect(data).toEqual({
          from: "2025-01-11",
          to: "2025-01-14",
          days: [
            { date: "2025-01-11", ...zero, redeemed_points: -300, outstanding_points: 700 }, // 1000 earned on the 10th
            { date: "2025-01-12", ...zero, adjusted_points: 50, outstanding_points: 750 },
            { date: "2025-01-13", ...zero, outstanding_points: 750 },
            { date: "2025-01-14", ...zero, expired_points: -100, outstanding_points: 650 },
          ],
        })
        const { data: one } = await api.get("/admin/loyalty/stats/activity?from=2025-01-10&to=2025-01-10", store.admin)
        expect(one.days).toEqual([{ date: "2025-01-10", ...zero, issued_points: 1000, outstanding_points: 1000 }])
        const { data: year } = await api.get("/admin/loyalty/stats/activity?from=2024-01-15&to=2025-01-14", store.admin)
        expect(year.days).toHaveLength(366) // 2024 is a leap year: the longest range allowed
      })

      it("takes the files as a map of parsed JSON too, and bounds the orders by since and limit_orders", async () => {
        const { data: live } = await api.get("/admin/loyalty/rules/files", store.admin)
        const files = live.files.map((f: { name: string; content: string }) => {
          if (f.name !== "accrual.json") return f
          const accrual = JSON.parse(f.content)
          accrual.rules.find((r: { name: string }) => r.name === "base-earn").event.params.points = 2
          return { name: f.name, content: JSON.stringify(accrual, null, 2) }
        })
        const map = Object.fromEntries(files.map((f: { name: string; content: string }) => [f.name, JSON.parse(f.content)]))
        const { data: list } = await api.post("/admin/loyalty/rules/backtest", { files, limit_orders: 2 }, store.admin)
        const { data: byMap } = await api.post("/admin/loyalty/rules/backtest", { files: map, limit_orders: 2 }, store.admin)
        expect(byMap.rulebook_version).toBe(list.rulebook_version) // same content, same version
        expect(byMap).toMatchObject({ orders_evaluated: 2, window: { limit_orders: 2 } })
        const { data: all } = await api.post("/admin/loyalty/rules/backtest", { files: map }, store.admin)
        expect(all.orders_evaluated).toBe(orderIds.length)
        const tomorrow = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString()
        const { data: none } = await api.post("/admin/loyalty/rules/backtest", { files: map, since: tomorrow }, store.admin)
        expect(none).toMatchObject({ orders_evaluated: 0, liability_delta_points: 0, members: [], window: { since: tomorrow } })
      })
    })

    describe("hostile-input.test.ts", () => {
      type Auth = "admin" | "customer" | "public"
      type RouteRow = { auth: Auth; sample?: Record<string, unknown>; overRange?: Record<string, unknown>; limitBytes?: number; idempotent?: boolean }
      const BODY_LIMIT = 100 * 1024 // Medusa's default JSON body limit
      const RULE_FILES_LIMIT = 1_000_000 // RULE_FILES_BODY_LIMIT_BYTES (v2/src/api/middlewares.ts)
      const files = [{ name: "accrual.json", content: "{}" }]
      /** One row per route and method v2 serves: who may call it, a well-formed body (text to poison), an over-range body. */
      const ROUTES: Record<string, RouteRow> = {
        "GET /admin/loyalty/accounts": { auth: "admin" },
        "GET /admin/loyalty/accounts/:customer_id": { auth: "admin" },
        "POST /admin/loyalty/accounts/:customer_id/adjustments": { auth: "admin", idempotent: true, sample: { points: 10, reason: "goodwill" }, overRange: { points: 2_147_483_648, reason: "too many" } },
        "GET /admin/loyalty/accounts/:customer_id/entries": { auth: "admin" },
        "GET /admin/loyalty/accounts/:customer_id/redemptions": { auth: "admin" },
        "GET /admin/loyalty/actions": { auth: "admin" },
        "POST /admin/loyalty/actions": { auth: "admin", sample: { customer_id: "cus_1", type: "review", reference: "review_1" }, overRange: { customer_id: "cus_1", type: "review", reference: "x".repeat(201) } },
        "GET /admin/loyalty/entries/:id/explain": { auth: "admin" },
        "POST /admin/loyalty/jobs/activate": { auth: "admin", sample: {} },
        "POST /admin/loyalty/jobs/birthdays": { auth: "admin", sample: {} },
        "POST /admin/loyalty/jobs/expire": { auth: "admin", sample: {} },
        "POST /admin/loyalty/jobs/reconcile": { auth: "admin", sample: { since: "2025-01-01" }, overRange: { limit: 1e12 } },
        "POST /admin/loyalty/jobs/redemptions/expire": { auth: "admin", sample: {} },
        "POST /admin/loyalty/jobs/redemptions/settle": { auth: "admin", sample: {} },
        "POST /admin/loyalty/jobs/tiers": { auth: "admin", sample: {} },
        "GET /admin/loyalty/promotions": { auth: "admin" },
        "POST /admin/loyalty/promotions/reconcile": { auth: "admin", sample: {} },
        "GET /admin/loyalty/rules": { auth: "admin" },
        "POST /admin/loyalty/rules/backtest": { auth: "admin", sample: { files }, overRange: { files, limit_orders: 1e12 }, limitBytes: RULE_FILES_LIMIT },
        "GET /admin/loyalty/rules/files": { auth: "admin" },
        "POST /admin/loyalty/rules/reload": { auth: "admin", sample: {} },
        "POST /admin/loyalty/rules/validate": { auth: "admin", sample: { files }, limitBytes: RULE_FILES_LIMIT },
        "GET /admin/loyalty/settings": { auth: "admin" },
        "POST /admin/loyalty/simulate": { auth: "admin", sample: { order_id: "order_1" }, overRange: { order: { subtotal: 2 ** 60 } }, limitBytes: RULE_FILES_LIMIT },
        "GET /admin/loyalty/stats/activity": { auth: "admin" },
        "GET /admin/loyalty/stats/tiers": { auth: "admin" },
        "GET /admin/loyalty/tiers": { auth: "admin" },
        "GET /admin/loyalty/verify": { auth: "admin" },
        "GET /store/customers/me/loyalty": { auth: "customer" },
        "GET /store/customers/me/loyalty/entries": { auth: "customer" },
        "GET /store/customers/me/loyalty/promotions": { auth: "customer" },
        "GET /store/customers/me/loyalty/redemptions": { auth: "customer" },
        "POST /store/customers/me/loyalty/redemptions": { auth: "customer", idempotent: true, sample: { points: 500, region_id: "reg_1" }, overRange: { points: 1e15, region_id: "reg_1" } },
        "GET /store/customers/me/loyalty/referral": { auth: "customer" },
        "POST /store/customers/me/loyalty/referral": { auth: "customer", sample: { code: "ABCDEFGH" }, overRange: { code: "A".repeat(41) } },
        "GET /store/loyalty/tiers": { auth: "public" },
        "POST /store/carts/:id/loyalty/points": { auth: "customer", sample: { points: 500 }, overRange: { points: 1e15 } },
        "DELETE /store/carts/:id/loyalty/points": { auth: "customer" },
        "GET /store/carts/:id/loyalty/preview": { auth: "customer" },
        "GET /store/products/:id/loyalty/preview": { auth: "public" },
      }
      /** The routes this app serves (route files' handlers), each of which must have a row. */
      const served = () => discoverRoutes(API_DIR).flatMap((r) => r.handlers.map((m) => `${m} ${r.path}`)).sort()
      type Request = { path: string; query?: string; headers?: Record<string, string>; body?: string; contentType?: string }
      type RouteCtx = { key: string; method: string; path: (param?: string) => string; row: RouteRow }
      /** `asMedusa`: answered by Medusa's router before any plugin code runs; expected to be its answer on its own routes. */
      type Hostile = { name: string; status: number; mentions?: string; asMedusa?: true; request(r: RouteCtx): Request }
      const json = (v: unknown) => JSON.stringify(v)
      const sampleOf = (r: RouteCtx) => r.row.sample ?? {}
      /** The first string of a body with a NUL in it, or a text field added when the body has none. */
      const poisoned = (body: Record<string, unknown>) => {
        const text = json(body)
        return text.includes('":"') ? JSON.parse(text.replace('":"', '":"nul\\u0000')) : { ...body, text: "nul\u0000byte" }
      }
      const HOSTILE: Hostile[] = [
        { name: "malformed JSON", status: 400, request: (r) => ({ path: r.path(), body: '{"points": 1,' }) },
        { name: "a JSON string as the body", status: 400, request: (r) => ({ path: r.path(), body: '"points"' }) },
        { name: "a JSON array as the body", status: 400, request: (r) => ({ path: r.path(), body: json([sampleOf(r)]) }) },
        { name: "a text/plain body", status: 400, request: (r) => ({ path: r.path(), body: "points=1", contentType: "text/plain" }) },
        { name: "a body over the route's limit", status: 413, request: (r) => ({ path: r.path(), body: json({ ...sampleOf(r), pad: "x".repeat(r.row.limitBytes ?? BODY_LIMIT) }) }) },
        { name: "a NUL byte in the path id", status: 400, mentions: "NUL", request: (r) => ({ path: r.path("cus%00x") }) },
        // Medusa 2.21's router fails to decode such a path before any middleware runs (its own routes answer the same).
        { name: "a malformed %-escape in the path", status: 500, asMedusa: true, request: (r) => ({ path: r.path("%E0%A4%A") }) },
        { name: "a NUL byte in a query value", status: 400, mentions: "NUL", request: (r) => ({ path: r.path(), query: "limit=1%00" }) },
        { name: "a NUL byte in a query key", status: 400, mentions: "NUL", request: (r) => ({ path: r.path(), query: "li%00mit=1" }) },
        { name: "a NUL byte in a text field", status: 400, mentions: "NUL", request: (r) => ({ path: r.path(), body: json(poisoned(sampleOf(r))) }) },
        { name: "a repeated query parameter", status: 400, mentions: "query.limit", request: (r) => ({ path: r.path(), query: "limit=1&limit=2" }) },
        { name: "an array query parameter", status: 400, mentions: "query.limit", request: (r) => ({ path: r.path(), query: "limit[]=1" }) },
        { name: "a nested query parameter", status: 400, mentions: "query.limit", request: (r) => ({ path: r.path(), query: "limit[a]=1" }) },
        { name: "a hexadecimal number", status: 400, mentions: "query.limit", request: (r) => ({ path: r.path(), query: "limit=0x10" }) },
        { name: "an exponent number", status: 400, mentions: "query.offset", request: (r) => ({ path: r.path(), query: "offset=1e3" }) },
        {
          name: "a number past the integer columns",
          status: 400,
          request: (r) => (r.row.overRange ? { path: r.path(), body: json(r.row.overRange) } : { path: r.path(), query: "offset=99999999999999999999" }),
        },
        { name: "JSON nested deeper than any body needs", status: 400, request: (r) => ({ path: r.path(), body: `{"deep":${"[".repeat(5000)}${"]".repeat(5000)}}` }) },
      ]
      /** Internal things a message must never show: stack frames, driver and ORM errors, SQL. */
      const LEAKS = /MikroORM|DriverException|node_modules|\bat \S+ \(|\bSELECT\b|\bINSERT\b|\bUPDATE\b|relation "|\u0000|unknown error/i

      const baseUrl = (): string => (api as any).defaults.baseURL
      function route(key: string): RouteCtx {
        const [method, pattern] = key.split(" ")
        const row = ROUTES[key]
        return {
          key,
          method,
          row,
          path: (param) => {
            // ann's own open cart on the cart routes (an unknown cart would be refused before its body is read).
            const real = pattern.replace(":customer_id", ann.id).replace(":id", pattern.startsWith("/store/carts/") ? annCart : "lent_unknown")
            if (param === undefined) return real
            // Routes with an id take the hostile text there; the others at the end of their last segment.
            return pattern.includes(":") ? pattern.replace(/:[a-z_]+/, param) : real + param
          },
        }
      }
      function authHeaders(auth: Auth): Record<string, string> {
        if (auth === "admin") return store.admin.headers
        if (auth === "customer") return ann.headers
        return store.pk
      }
      /** A raw HTTP request (a client library refuses a GET body; every route must also survive one). */
      function send(r: RouteCtx, req: Request): Promise<{ status: number; body: any; text: string }> {
        const url = new URL(baseUrl())
        const headers: Record<string, string> = {
          ...authHeaders(r.row.auth),
          ...(r.row.idempotent ? { "idempotency-key": `hostile-${Math.random().toString(36).slice(2)}` } : {}),
          ...(req.body !== undefined ? { "content-type": req.contentType ?? "application/json", "content-length": String(Buffer.byteLength(req.body)) } : {}),
          ...req.headers,
        }
        return new Promise((resolve) => {
          const out = http.request({ host: url.hostname, port: url.port, method: r.method, path: req.path + (req.query ? `?${req.query}` : ""), headers }, (res) => {
            const chunks: Buffer[] = []
            res.on("data", (c) => chunks.push(c))
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8")
              let body: any = null
              try {
                body = JSON.parse(text)
              } catch {
                body = null
              }
              resolve({ status: res.statusCode ?? 0, body, text })
            })
          })
          // A refused body may be cut off while it is still being sent: report that, do not abort the table.
          out.on("error", (e) => resolve({ status: 0, body: null, text: `request error: ${e.message}` }))
          out.end(req.body)
        })
      }
      /** A request with a raw NUL in a header, written on a socket (Node's HTTP clients refuse to send one). */
      function sendNulHeader(r: RouteCtx): Promise<string> {
        const url = new URL(baseUrl())
        const auth = Object.entries(authHeaders(r.row.auth)).map(([k, v]) => `${k}: ${v}\r\n`)
        const head = `${r.method} ${r.path()} HTTP/1.1\r\nhost: ${url.host}\r\n${auth.join("")}x-note: a\u0000b\r\nconnection: close\r\n\r\n`
        return new Promise((resolve, reject) => {
          const socket = net.connect(Number(url.port), url.hostname, () => socket.end(head))
          let text = ""
          socket.on("data", (c) => (text += c.toString("latin1")))
          socket.on("end", () => resolve(text))
          socket.on("error", reject)
        })
      }

      it("has a row for every route file's every method, so a new route cannot skip this table", () => {
        expect(served().filter((key) => !ROUTES[key])).toEqual([])
        expect(served().length).toBeGreaterThanOrEqual(35)
      })

      it("answers every hostile input on every route with a clean 4xx (Medusa's own answer to a path it cannot decode) and writes nothing", async () => {
        const start = Date.now()
        const before = await ledgerSnapshot()
        const failures: string[] = []
        // What Medusa answers a malformed %-escape on its own admin and store routes: the plugin's must answer the same.
        const core = (p: string, auth: Auth): RouteCtx => ({ key: p, method: "GET", path: () => p, row: { auth } })
        const medusa = [await send(core("/admin/products%E0%A4%A", "admin"), { path: "/admin/products%E0%A4%A" }), await send(core("/store/customers/me%E0%A4%A", "customer"), { path: "/store/customers/me%E0%A4%A" })]
        expect(medusa[1]).toEqual(medusa[0])
        expect([medusa[0].status, medusa[0].text]).toEqual([500, JSON.stringify({ code: "unknown_error", type: "unknown_error", message: "An unknown error occurred." })])
        for (const key of served().filter((k) => ROUTES[k])) { // a route without a row fails the test above
          const r = route(key)
          for (const h of HOSTILE) {
            const res = await send(r, h.request(r))
            const message: unknown = res.body?.message
            const problem = h.asMedusa
              ? res.status !== medusa[0].status || res.text !== medusa[0].text ? `${res.status} ${res.text.slice(0, 200)}, not Medusa's own answer` : null
              : res.status !== h.status
                ? `status ${res.status}, expected ${h.status}: ${res.text.slice(0, 200)}`
                : typeof message !== "string" || !message
                  ? `no JSON message: ${res.text.slice(0, 200)}`
                  : LEAKS.test(message) || "stack" in res.body
                    ? `leaks internals: ${message}`
                    : h.mentions && !message.includes(h.mentions)
                      ? `message does not mention ${h.mentions}: ${message}`
                      : null
            if (problem) failures.push(`${key} × ${h.name}: ${problem}`)
          }
          const nulHeader = await sendNulHeader(r)
          if (!/^HTTP\/1\.1 400 /.test(nulHeader)) failures.push(`${key} × a NUL byte in a header: ${nulHeader.split("\r\n")[0]}`)
        }
        timings["hostile sweep"] = Date.now() - start
        expect(failures).toEqual([])
        expect(await ledgerSnapshot()).toEqual(before)
      })

      it("lets rules/validate take rule files past the 100 KiB default, up to its own 1,000,000-byte limit", async () => {
        const content = JSON.stringify({ kind: "accrual", description: "x".repeat(300_000), rules: [] })
        const { status, data } = await api.post("/admin/loyalty/rules/validate", { files: [{ name: "accrual.json", content }] }, store.admin)
        expect(status).toBe(200)
        expect(data).toHaveProperty("valid")
        const over = await refused(api.post("/admin/loyalty/rules/validate", { files: [{ name: "accrual.json", content: "x".repeat(RULE_FILES_LIMIT) }] }, store.admin))
        expect(over.status).toBe(413)
      })

      it("keeps counting lifetime points past 2,147,483,647 (earn, spend, earn again) and answers them as a number", async () => {
        const big = await member("big@parity-api.test")
        expect((await adjust(big.id, { points: 2_000_000_000, reason: "big spender" }, "life-1")).status).toBe(200)
        const spent = await api.post("/store/customers/me/loyalty/redemptions", { points: 2_000_000_000, region_id: store.region.id }, { headers: { ...big.headers, "idempotency-key": "life-redeem" } })
        expect(spent.status).toBe(201)
        expect(spent.data.redemption).toMatchObject({ points: 2_000_000_000, amount: 2_000_000_000, currency_code: "eur" })
        const again = await adjust(big.id, { points: 2_000_000_000, reason: "big spender" }, "life-2")
        expect(again.status).toBe(200)
        expect(again.data.loyalty_account).toMatchObject({ points_balance: 2_000_000_000, points_lifetime: 4_000_000_000 })
        const { data: me } = await api.get("/store/customers/me/loyalty", { headers: big.headers })
        expect(me.loyalty_account).toMatchObject({ points_balance: 2_000_000_000, points_lifetime: 4_000_000_000 })
        expect((await api.get("/admin/loyalty/verify", store.admin)).data).toMatchObject({ ok: true })
      })

      it("refuses a balance past the points column with a 400 naming the limit, writing nothing", async () => {
        const full = await member("full@parity-api.test")
        expect((await adjust(full.id, { points: 2_147_483_647, reason: "big spender" }, "full-1")).status).toBe(200)
        const before = await ledgerSnapshot()
        const over = await adjust(full.id, { points: 1, reason: "big spender" }, "full-2")
        expect(over.status).toBe(400)
        expect(over.data.message).toContain("2147483647")
        expect(await ledgerSnapshot()).toEqual(before)
      })

      it("refuses a redemption worth more than the largest discount a store can hold in a 3-decimal currency with a 400, writing nothing", async () => {
        const { data: { stores } } = await api.get("/admin/stores", store.admin)
        const currencies = stores[0].supported_currencies.map((c: { currency_code: string; is_default: boolean }) => ({ currency_code: c.currency_code, is_default: c.is_default }))
        await api.post(`/admin/stores/${stores[0].id}`, { supported_currencies: [...currencies, { currency_code: "kwd" }] }, store.admin)
        const { data: { region: kwd } } = await api.post("/admin/regions", { name: "KW", currency_code: "kwd", countries: ["kw"], payment_providers: ["pp_system_default"] }, store.admin)
        const rich = await member("rich@parity-api.test", 300_000_000) // 300M points × 10 fils = 3e9 > 2^31 − 1
        const redeem = (points: number, key: string) =>
          refused(api.post("/store/customers/me/loyalty/redemptions", { points, region_id: kwd.id }, { headers: { ...rich.headers, "idempotency-key": key } }))
        const before = await ledgerSnapshot()
        const res = await redeem(300_000_000, "kwd-redeem")
        expect(res.status).toBe(400)
        expect(res.data.message).toContain("largest discount")
        expect(res.data.message).not.toMatch(LEAKS)
        expect(await ledgerSnapshot()).toEqual(before)
        const fits = await redeem(200_000_000, "kwd-redeem-2")
        expect(fits.status).toBe(201)
        expect(fits.data.redemption).toMatchObject({ amount: 2_000_000_000, currency_code: "kwd" })
      })
    })

    describe("openapi-responses.test.ts", () => {
      it("explains an accrual (facts, rulebook files) and an adjustment (none) as documented", async () => {
        const doc: OpenApiDocument = generateOpenApi(API_DIR, JSON.parse(fs.readFileSync(path.join(V2, "package.json"), "utf8")))
        const answer = async (id: string) => {
          const res = await refused(api.get(`/admin/loyalty/entries/${id}/explain`, store.admin))
          return { status: res.status, body: res.data, text: JSON.stringify(res.data) }
        }
        const accrual = await entryByKey(`order:${orderIds[2]}:accrual`)
        const explained = await answer(accrual.id)
        expect(explained.body).toMatchObject({ facts: { order: { id: orderIds[2] } }, rulebook: { files: expect.any(Array) } })
        expect(answerProblems(doc, "get", "/admin/loyalty/entries/{id}/explain", explained.status, explained.body, explained.text)).toEqual([])
        const seeded = await adjust(ben.id, { points: 5, reason: "goodwill" }, "explain-adjustment")
        const adjustment = await answer(seeded.data.entry.id)
        expect(adjustment.body).toMatchObject({ facts: null, rulebook: null, rules_fired: [] })
        expect(answerProblems(doc, "get", "/admin/loyalty/entries/{id}/explain", adjustment.status, adjustment.body, adjustment.text)).toEqual([])
      })
    })

    describe("tiers.test.ts", () => {
      it("filters admin accounts by tier and answers 400 naming query.tier, with a suggestion, for an unknown tier", async () => {
        const gus = await member("gus@parity-api.test", 5000)
        const { data } = await api.get("/admin/loyalty/accounts?tier=gold&limit=100", store.admin)
        expect(data.loyalty_accounts.map((a: { customer_id: string }) => a.customer_id)).toEqual([gus.id])
        expect(data.loyalty_accounts.every((a: { tier: { code: string } }) => a.tier.code === "gold")).toBe(true)
        expect(data.count).toBe((await sql(`SELECT count(*)::int AS n FROM loyalty_account WHERE tier = 'gold'`))[0].n)
        const { data: bronze } = await api.get("/admin/loyalty/accounts?tier=bronze&limit=100", store.admin)
        expect(bronze.count).toBe(5)
        const bad = await refused(api.get("/admin/loyalty/accounts?tier=gld", store.admin))
        expect(bad.status).toBe(400)
        expect(bad.data.message).toContain("query.tier")
        expect(bad.data.message).toContain("did you mean 'gold'")
      })
    })

    describe("verify.test.ts", () => {
      it("refuses unknown query parameters on the verify route", async () => {
        const res = await refused(api.get("/admin/loyalty/verify?fix=true", store.admin))
        expect(res.status).toBe(400)
        expect(res.data.message).toContain("query")
      })

      it("reports a tampered row precisely (customer, check, expected vs actual, entry) and the v2 package's CLI exits 1", async () => {
        const accrual = await entryByKey(`order:${orderIds[2]}:accrual`) // ben's only entry: 200
        await sql(`ALTER TABLE loyalty_ledger_entry DISABLE TRIGGER loyalty_ledger_entry_append_only`)
        await sql(`UPDATE loyalty_ledger_entry SET points = points + 7 WHERE id = ?`, [accrual.id])
        await sql(`ALTER TABLE loyalty_ledger_entry ENABLE TRIGGER loyalty_ledger_entry_append_only`)
        const { data } = await api.get("/admin/loyalty/verify", store.admin)
        expect(data).toEqual({
          ok: false,
          accounts_checked: 5,
          entries_checked: 3,
          problems: [
            { customer_id: ben.id, check: "balance_chain", expected: 207, actual: 200, entry_id: accrual.id },
            { customer_id: ben.id, check: "points_balance", expected: 207, actual: 200 },
            { customer_id: ben.id, check: "points_lifetime", expected: 207, actual: 200 },
          ],
        })
        const [{ db, port }] = await sql(`SELECT current_database() AS db, inet_server_port() AS port`)
        const [user, password] = [process.env.DB_USERNAME || "postgres", process.env.DB_PASSWORD || ""]
        const url = `postgres://${user}${password ? `:${password}` : ""}@${process.env.DB_HOST || "localhost"}:${port ?? 5432}/${db}`
        const json = await cli(["verify", "--database-url", url, "--json"])
        expect(json.code).toBe(1)
        expect(JSON.parse(json.stdout)).toEqual(data)
        const text = await cli(["verify", "--database-url", url])
        expect(text.code).toBe(1)
        expect(text.stdout).toContain("DRIFT: 5 account(s), 3 entries checked, 3 problem(s)")
        expect(text.stdout).toContain(`${ben.id}  balance_chain  entry ${accrual.id}: expected 207, actual 200`)
      })

      it("answers usage errors with exit code 2 and --help with 0 from the v2 package's CLI", async () => {
        const unknown = await cli(["verify", "--nope"])
        expect([unknown.code, unknown.stderr.split("\n")[0]]).toEqual([2, "error: unknown option '--nope'"])
        const badDate = await cli(["expire", "--now", "yesterday"])
        expect([badDate.code, badDate.stdout]).toEqual([2, ""])
        const help = await cli(["verify", "--help"])
        expect([help.code, help.stderr]).toEqual([0, ""])
        expect(help.stdout).toContain("--database-url <url>")
      })
    })

    describe("promotions.test.ts", () => {
      type Listed = { code: string; status: string; promotion_id: string | null; customer_group_id: string; member_count: number }
      const listed = async (): Promise<Listed[]> => (await api.get("/admin/loyalty/promotions", store.admin)).data.promotions
      const groupSize = async (group_id: string) =>
        (await sql(`SELECT count(*)::int AS n FROM customer_group_customer WHERE customer_group_id = ? AND deleted_at IS NULL`, [group_id]))[0].n
      const promotion = async (code: string) =>
        (await getContainer().resolve<any>(Modules.PROMOTION).listPromotions({ code }, { relations: ["application_method"] }))[0]
      /** The discount a member's cart gets from `code` on a 100.00 item, and the codes it carries. */
      const tryCode = async (who: Member, code: string) => {
        const h = { headers: who.headers }
        const { data: { cart } } = await api.post("/store/carts", { region_id: store.region.id, sales_channel_id: store.sc }, h)
        await api.post(`/store/carts/${cart.id}/line-items`, { variant_id: await store.variantAt(100), quantity: 1 }, h)
        const res = await refused(api.post(`/store/carts/${cart.id}/promotions`, { promo_codes: [code] }, h))
        if (res.status !== 200) return { codes: [], discount: 0 }
        return { codes: (res.data.cart.promotions ?? []).map((p: { code: string }) => p.code), discount: Number(res.data.cart.discount_total) }
      }
      const myCodes = async (who: Member) =>
        (await api.get("/store/customers/me/loyalty/promotions", { headers: who.headers })).data.promotions.map((p: { code: string }) => p.code).sort()

      it("shows admins every tracked promotion with its v2 promotion, group, status and member count", async () => {
        const before = await listed()
        await member("gold@parity-api.test", 5000)
        const after = await listed()
        expect(after.map((p) => p.code).sort()).toEqual(["GOLD15", "MEMBER5", "PLATINUM20", "SILVER10"])
        const gold = after.find((p) => p.code === "GOLD15")!
        expect(gold).toMatchObject({ status: "active", promotion_id: (await promotion("GOLD15")).id })
        expect(gold.member_count).toBe(before.find((p) => p.code === "GOLD15")!.member_count + 1)
        for (const p of after) expect([p.code, p.member_count]).toEqual([p.code, await groupSize(p.customer_group_id)])
        expect(after.find((p) => p.code === "MEMBER5")!.member_count).toBe(6)
      })

      it("disables a promotion removed from the files, updates a changed value, and restores both from the files", async () => {
        const pat = await member("pat@parity-api.test", 20000)
        const silvia = await member("silvia@parity-api.test", 1000)
        const file = path.join(rulesDir, "promotions.json")
        const original = fs.readFileSync(file, "utf8")
        const variant = JSON.parse(original)
        variant.promotions = variant.promotions
          .filter((p: { code: string }) => p.code !== "PLATINUM20")
          .map((p: { code: string; discount: Record<string, unknown> }) => (p.code === "SILVER10" ? { ...p, discount: { ...p.discount, value: 12 } } : p))
        fs.writeFileSync(file, JSON.stringify(variant, null, 2))
        let restored: { promotions: { updated: string[] } } | undefined
        try {
          // The reload makes the files live and reconciles the member promotions with them (its answer's `promotions`).
          const { data: changed } = await api.post("/admin/loyalty/rules/reload", {}, store.admin)
          expect(changed.promotions).toMatchObject({ disabled: ["PLATINUM20"], updated: ["SILVER10"], created: [], conflicts: [], failed: [] })
          expect((await promotion("PLATINUM20")).status).toBe("inactive")
          expect(Number((await promotion("SILVER10")).application_method.value)).toBe(12)
          expect(await tryCode(silvia, "SILVER10")).toEqual({ codes: ["SILVER10"], discount: 12 })
          expect(await tryCode(pat, "PLATINUM20")).toEqual({ codes: [], discount: 0 })
          expect((await listed()).find((p) => p.code === "PLATINUM20")).toMatchObject({ status: "disabled", member_count: 0 })
        } finally {
          fs.writeFileSync(file, original)
          restored = (await api.post("/admin/loyalty/rules/reload", {}, store.admin)).data
        }
        expect([...restored!.promotions.updated].sort()).toEqual(["PLATINUM20", "SILVER10"])
        const { data: again } = await api.post("/admin/loyalty/promotions/reconcile", {}, store.admin)
        expect(again).toMatchObject({ created: [], updated: [], disabled: [], unchanged: ["MEMBER5", "SILVER10", "GOLD15", "PLATINUM20"] })
        expect((await promotion("PLATINUM20")).status).toBe("active")
        expect(Number((await promotion("SILVER10")).application_method.value)).toBe(10)
        expect(await tryCode(pat, "PLATINUM20")).toEqual({ codes: ["PLATINUM20"], discount: 20 })
        expect(await myCodes(pat)).toEqual(["MEMBER5", "PLATINUM20"])
      })
    })
  },
})
