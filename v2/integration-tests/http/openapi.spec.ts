import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import fs from "fs"
import os from "os"
import path from "path"
import { answerProblems, routeDocsProblems, type DiscoveredRoute, type OpenApiDocument } from "../../src/core/domain/http/openapi-document"
import type { RouteDocs } from "../../src/core/domain/http/route-docs"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { discoverRoutes, generateOpenApi } from "../../src/lib/openapi"
import { createStore, waitFor } from "./store"

jest.setTimeout(600_000)

/**
 * Real answers of a real Medusa 2 app (over HTTP) against the v2 OpenAPI document generated from the route files'
 * zod schemas (the same generation as docs/openapi.json, which src/lib/__tests__/openapi.unit.spec.ts keeps
 * current). Every route file under src/api and every handler it exports must have an operation; every operation
 * must be exercised by a row of EXERCISES below, with real data (a member with an order, an adjustment and a
 * redemption); every answer, refusals included, must match what the document says of its status: the documented
 * JSON Schema read back with z.fromJSONSchema (what a generated client expects) and, for a success, the route's own
 * zod response schema. Both are strict: an undocumented key fails, a documented key the answer lacks fails.
 */

const V2 = path.resolve(__dirname, "..", "..")
const API_DIR = path.join(V2, "src", "api")
const pkg = JSON.parse(fs.readFileSync(path.join(V2, "package.json"), "utf8")) as { name: string; version: string }

// This suite's own copy of the rules (medusa-config.ts reads LOYALTY_V2_RULES_DIR before the app boots): the reload
// refusal breaks a file in it. The package's rules plus the campaigns example's action rules, so a reported action
// and a referral earn points.
const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-openapi-rules-"))
const packageRules = path.resolve(V2, "rules")
for (const name of fs.readdirSync(packageRules)) {
  if (name.endsWith(".json")) fs.copyFileSync(path.join(packageRules, name), path.join(rulesDir, name))
}
fs.copyFileSync(path.resolve(V2, "../examples/rulebooks/campaigns/actions.json"), path.join(rulesDir, "actions.json"))
process.env.LOYALTY_V2_RULES_DIR = rulesDir

type Who = "admin" | "member" | "newcomer" | "store" | "nobody"
type Call = { who: Who; method: string; url: string; body?: unknown; raw?: string; headers?: Record<string, string> }
type Answer = { status: number; body: unknown; text: string }
/** One request an operation is exercised with, and the status it must answer. */
type Exercise = { why: string; status: number; call: () => Call }

const timings: Record<string, number> = {}

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    let member: { id: string; headers: Record<string, string> }
    let newcomer: { id: string; headers: Record<string, string> }
    let doc: OpenApiDocument
    let routes: DiscoveredRoute[]
    let orderId: string
    let accrualEntryId: string
    let cartId: string
    let productId: string
    const loyalty = () => getContainer().resolve<any>(LOYALTY_MODULE)

    beforeAll(async () => {
      const start = Date.now()
      doc = generateOpenApi(API_DIR, pkg)
      routes = discoverRoutes(API_DIR)
      store = await createStore(api, getContainer(), [100])
      const register = async (email: string) => {
        const c = await store.registerCustomer(email)
        await waitFor("the account", () => loyalty().findAccount(c.id))
        return c
      }
      member = await register("openapi-member@loyalty.test")
      newcomer = await register("openapi-newcomer@loyalty.test")
      const seed = await call({ who: "admin", method: "POST", url: `/admin/loyalty/accounts/${member.id}/adjustments`, body: { points: 1000, reason: "seed" }, headers: { "idempotency-key": "openapi-adjust-1" } })
      expect(seed.status).toBe(200)
      orderId = (await store.placeOrder(member, [{ price: 100, quantity: 1 }])).id
      const accrual = await waitFor("the order's accrual", async () => {
        const { body } = await call({ who: "member", method: "GET", url: "/store/customers/me/loyalty/entries" })
        return (body as { entries: Array<{ id: string; kind: string }> }).entries.find((e) => e.kind === "accrual")
      })
      accrualEntryId = accrual.id
      const redeemed = await call({ who: "member", method: "POST", url: "/store/customers/me/loyalty/redemptions", body: { points: 500, region_id: store.region.id }, headers: { "idempotency-key": "openapi-redeem-1" } })
      expect(redeemed.status).toBe(201)
      const { data: { cart } } = await api.post("/store/carts", { region_id: store.region.id, sales_channel_id: store.sc }, { headers: member.headers })
      await api.post(`/store/carts/${cart.id}/line-items`, { variant_id: await store.variantAt(100), quantity: 1 }, { headers: member.headers })
      cartId = cart.id
      productId = (await api.get("/store/products?limit=1&fields=id", { headers: store.pk })).data.products[0].id
      timings["setup"] = Date.now() - start
    })

    afterAll(() => {
      fs.rmSync(rulesDir, { recursive: true, force: true })
      // eslint-disable-next-line no-console
      console.log(`v2 openapi timings (ms): ${JSON.stringify(timings)}`)
    })

    /** One HTTP request as `who`; the body as JSON when it is JSON, the raw text always; never throws on a status. */
    async function call(c: Call): Promise<Answer> {
      const auth: Record<Who, Record<string, string>> = {
        admin: store.admin.headers,
        member: member?.headers ?? {},
        newcomer: newcomer?.headers ?? {},
        store: store.pk,
        nobody: {},
      }
      const payload = c.raw ?? (c.body === undefined ? undefined : JSON.stringify(c.body))
      const res = await api.request({
        method: c.method,
        url: c.url,
        data: payload,
        headers: { accept: "application/json", ...(payload !== undefined ? { "content-type": "application/json" } : {}), ...auth[c.who], ...c.headers },
        validateStatus: () => true,
        transformResponse: (x: string) => x,
      })
      const text = typeof res.data === "string" ? res.data : String(res.data ?? "")
      let body: unknown = text
      try {
        body = JSON.parse(text)
      } catch {
        // not JSON: checked as text
      }
      return { status: res.status, body, text }
    }

    /** Why `answer` of `method expressPath` does not match the document, or (a success) the route's zod response. */
    function mismatches(method: string, expressPath: string, answer: Answer): string[] {
      const openapiPath = expressPath.replace(/:(\w+)/g, "{$1}")
      const problems = answerProblems(doc, method, openapiPath, answer.status, answer.body, answer.text)
      if (answer.status < 300) {
        const schema = (routes.find((r) => r.path === expressPath)?.docs as RouteDocs | undefined)?.[method as keyof RouteDocs]?.response
        if (!schema) problems.push(`${method} ${expressPath}: no zod response schema`)
        else {
          const parsed = schema.safeParse(answer.body)
          if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `${method} ${openapiPath} → ${answer.status}: zod response: ${i.path.join(".") || "(body)"}: ${i.message}`))
        }
      }
      return problems
    }

    const files = () =>
      fs.readdirSync(rulesDir).filter((f) => f.endsWith(".json")).map((name) => ({ name, content: fs.readFileSync(path.join(rulesDir, name), "utf8") }))
    const ok = (why: string, call: () => Call, status = 200): Exercise => ({ why, status, call })

    /**
     * How each documented operation is exercised, keyed `METHOD /openapi/path`, in the order they run (writes after
     * the reads that show their rows). A new route needs a row here: the sweep names any operation without one.
     */
    const EXERCISES: Record<string, Exercise[]> = {
      "GET /admin/loyalty/accounts": [ok("a page with the member", () => ({ who: "admin", method: "GET", url: "/admin/loyalty/accounts?limit=5" }))],
      "GET /admin/loyalty/accounts/{customer_id}": [ok("the member's account", () => ({ who: "admin", method: "GET", url: `/admin/loyalty/accounts/${member.id}` }))],
      "GET /admin/loyalty/accounts/{customer_id}/entries": [ok("the member's entries", () => ({ who: "admin", method: "GET", url: `/admin/loyalty/accounts/${member.id}/entries` }))],
      "GET /admin/loyalty/accounts/{customer_id}/redemptions": [ok("the member's codes", () => ({ who: "admin", method: "GET", url: `/admin/loyalty/accounts/${member.id}/redemptions` }))],
      "GET /admin/loyalty/actions": [ok("recorded actions", () => ({ who: "admin", method: "GET", url: "/admin/loyalty/actions" }))],
      "GET /admin/loyalty/entries/{id}/explain": [ok("an accrual explained", () => ({ who: "admin", method: "GET", url: `/admin/loyalty/entries/${accrualEntryId}/explain` }))],
      "GET /admin/loyalty/promotions": [ok("tracked promotions", () => ({ who: "admin", method: "GET", url: "/admin/loyalty/promotions" }))],
      "GET /admin/loyalty/rules": [ok("the live rulebook", () => ({ who: "admin", method: "GET", url: "/admin/loyalty/rules" }))],
      "GET /admin/loyalty/rules/files": [ok("the live files", () => ({ who: "admin", method: "GET", url: "/admin/loyalty/rules/files" }))],
      "GET /admin/loyalty/settings": [ok("the settings", () => ({ who: "admin", method: "GET", url: "/admin/loyalty/settings" }))],
      "GET /admin/loyalty/stats/activity": [ok("the last 30 days", () => ({ who: "admin", method: "GET", url: "/admin/loyalty/stats/activity" }))],
      "GET /admin/loyalty/stats/tiers": [ok("members per tier", () => ({ who: "admin", method: "GET", url: "/admin/loyalty/stats/tiers" }))],
      "GET /admin/loyalty/tiers": [ok("the ladder", () => ({ who: "admin", method: "GET", url: "/admin/loyalty/tiers" }))],
      "GET /admin/loyalty/verify": [ok("the integrity report", () => ({ who: "admin", method: "GET", url: "/admin/loyalty/verify" }))],
      "GET /store/customers/me/loyalty": [ok("my account", () => ({ who: "member", method: "GET", url: "/store/customers/me/loyalty" }))],
      "GET /store/customers/me/loyalty/entries": [ok("my entries", () => ({ who: "member", method: "GET", url: "/store/customers/me/loyalty/entries" }))],
      "GET /store/customers/me/loyalty/promotions": [ok("my usable codes", () => ({ who: "member", method: "GET", url: "/store/customers/me/loyalty/promotions" }))],
      "GET /store/customers/me/loyalty/redemptions": [ok("my redemptions", () => ({ who: "member", method: "GET", url: "/store/customers/me/loyalty/redemptions" }))],
      "GET /store/customers/me/loyalty/referral": [ok("my referral code", () => ({ who: "member", method: "GET", url: "/store/customers/me/loyalty/referral" }))],
      "GET /store/loyalty/tiers": [ok("the public ladder", () => ({ who: "store", method: "GET", url: "/store/loyalty/tiers" }))],
      "GET /store/carts/{id}/loyalty/preview": [
        ok("what my cart will earn", () => ({ who: "member", method: "GET", url: `/store/carts/${cartId}/loyalty/preview` })),
        ok("an unknown cart", () => ({ who: "store", method: "GET", url: "/store/carts/cart_unknown/loyalty/preview" }), 404),
      ],
      "GET /store/products/{id}/loyalty/preview": [
        ok("my points per variant", () => ({ who: "member", method: "GET", url: `/store/products/${productId}/loyalty/preview?region_id=${store.region.id}` })),
        ok("a guest's (a new member's)", () => ({ who: "store", method: "GET", url: `/store/products/${productId}/loyalty/preview?region_id=${store.region.id}` })),
        ok("without region_id", () => ({ who: "store", method: "GET", url: `/store/products/${productId}/loyalty/preview` }), 400),
      ],
      "POST /store/carts/{id}/loyalty/points": [
        ok("points on my cart", () => ({ who: "member", method: "POST", url: `/store/carts/${cartId}/loyalty/points`, body: { points: 500 } })),
        ok("off-step points", () => ({ who: "member", method: "POST", url: `/store/carts/${cartId}/loyalty/points`, body: { points: 550 } }), 400),
        ok("someone else's cart", () => ({ who: "newcomer", method: "POST", url: `/store/carts/${cartId}/loyalty/points`, body: { points: 500 } }), 404),
      ],
      "DELETE /store/carts/{id}/loyalty/points": [ok("the points off my cart", () => ({ who: "member", method: "DELETE", url: `/store/carts/${cartId}/loyalty/points` }))],
      "POST /admin/loyalty/accounts/{customer_id}/adjustments": [
        ok("a debit", () => ({ who: "admin", method: "POST", url: `/admin/loyalty/accounts/${member.id}/adjustments`, body: { points: -20, reason: "correction" }, headers: { "idempotency-key": "openapi-adjust-2" } })),
        ok("the seed's key with another body", () => ({ who: "admin", method: "POST", url: `/admin/loyalty/accounts/${member.id}/adjustments`, body: { points: 999, reason: "other" }, headers: { "idempotency-key": "openapi-adjust-1" } }), 422),
      ],
      "POST /admin/loyalty/actions": [
        ok("a review", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/actions", body: { customer_id: member.id, type: "review", reference: "openapi-review", properties: { rating: 4 } } }), 201),
        ok("its replay", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/actions", body: { customer_id: member.id, type: "review", reference: "openapi-review", properties: { rating: 4 } } })),
        ok("other data for its reference", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/actions", body: { customer_id: member.id, type: "review", reference: "openapi-review", properties: { rating: 1 } } }), 422),
      ],
      "POST /admin/loyalty/jobs/activate": [ok("activation", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/jobs/activate", body: {} }))],
      "POST /admin/loyalty/jobs/birthdays": [ok("birthdays", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/jobs/birthdays", body: {} }))],
      "POST /admin/loyalty/jobs/expire": [ok("expiry", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/jobs/expire", body: {} }))],
      "POST /admin/loyalty/jobs/reconcile": [ok("a window", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/jobs/reconcile", body: { since: "2025-01-01", limit: 10 } }))],
      "POST /admin/loyalty/jobs/redemptions/expire": [ok("expired codes", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/jobs/redemptions/expire", body: {} }))],
      "POST /admin/loyalty/jobs/redemptions/settle": [ok("used codes", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/jobs/redemptions/settle", body: {} }))],
      "POST /admin/loyalty/jobs/tiers": [
        ok("tiers", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/jobs/tiers", body: {} })),
        ok("a body over Medusa's limit", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/jobs/tiers", raw: JSON.stringify({ pad: "x".repeat(200_000) }) }), 413),
      ],
      "POST /admin/loyalty/promotions/reconcile": [ok("member promotions", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/promotions/reconcile", body: {} }))],
      "POST /admin/loyalty/rules/backtest": [
        ok("the live files as a candidate", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/rules/backtest", body: { files: files() } })),
        ok("an invalid candidate", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/rules/backtest", body: { files: [{ name: "accrual.json", content: '{ "kind": "accrual", "rules": [ { "name": 1 } ] }' }] } }), 400),
      ],
      "POST /admin/loyalty/rules/reload": [ok("the rules directory", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/rules/reload", body: {} }))],
      "POST /admin/loyalty/rules/validate": [
        ok("valid files", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/rules/validate", body: { files: files() } })),
        ok("invalid files (200, valid: false)", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/rules/validate", body: { files: [{ name: "accrual.json", content: '{ "kind": "accrual", "rules": [ { "name": 1 } ] }' }] } })),
      ],
      "POST /admin/loyalty/simulate": [
        ok("a stored order", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/simulate", body: { order_id: orderId } })),
        ok("facts", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/simulate", body: { order: { subtotal: 5000, currency_code: "eur" }, customer: { orders_count: 3 } } })),
        ok("a stored order under candidate files", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/simulate", body: { order_id: orderId, files: files() } })),
        ok("invalid candidate files", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/simulate", body: { order_id: orderId, files: [{ name: "accrual.json", content: '{ "kind": "accrual", "rules": [ { "name": 1 } ] }' }] } }), 400),
        ok("an unknown order", () => ({ who: "admin", method: "POST", url: "/admin/loyalty/simulate", body: { order_id: "order_unknown" } }), 404),
      ],
      "POST /store/customers/me/loyalty/redemptions": [
        ok("the first redemption's replay", () => ({ who: "member", method: "POST", url: "/store/customers/me/loyalty/redemptions", body: { points: 500, region_id: store.region.id }, headers: { "idempotency-key": "openapi-redeem-1" } })),
        ok("its key with another body", () => ({ who: "member", method: "POST", url: "/store/customers/me/loyalty/redemptions", body: { points: 600, region_id: store.region.id }, headers: { "idempotency-key": "openapi-redeem-1" } }), 422),
        ok("more points than I have", () => ({ who: "member", method: "POST", url: "/store/customers/me/loyalty/redemptions", body: { points: 1_000_000, region_id: store.region.id }, headers: { "idempotency-key": "openapi-redeem-2" } }), 400),
        ok("a second code", () => ({ who: "member", method: "POST", url: "/store/customers/me/loyalty/redemptions", body: { points: 500, region_id: store.region.id }, headers: { "idempotency-key": "openapi-redeem-3" } }), 201),
      ],
      "POST /store/customers/me/loyalty/referral": [
        ok("an unknown code", () => ({ who: "newcomer", method: "POST", url: "/store/customers/me/loyalty/referral", body: { code: "ZZZZZZZZ" } }), 400),
        ok("the member's code", () => ({ who: "newcomer", method: "POST", url: "/store/customers/me/loyalty/referral", body: { code: referralCode } }), 201),
      ],
    }
    let referralCode = ""

    it("has an operation for every handler of every route file v2 serves, naming any file without one and what to add", () => {
      const scanned = (fs.readdirSync(API_DIR, { recursive: true }) as string[]).filter((f) => path.basename(f) === "route.ts")
      expect(routes.map((r) => r.file).sort()).toEqual(scanned.sort())
      expect(routeDocsProblems(routes)).toEqual([])
      const handlers = routes.flatMap((r) => r.handlers.map((m) => `${m} ${r.path.replace(/:(\w+)/g, "{$1}")}`))
      const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`))
      expect(documented.sort()).toEqual(handlers.sort())
    })

    it("answers every documented operation, exercised with real data, with its documented status and body", async () => {
      const start = Date.now()
      referralCode = ((await call({ who: "member", method: "GET", url: "/store/customers/me/loyalty/referral" })).body as { code: string }).code
      const operations = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`))
      const problems = operations
        .filter((op) => !EXERCISES[op]?.some((e) => e.status < 300))
        .map((op) => `${op}: not exercised — add a row with a 2xx call for it to EXERCISES in integration-tests/http/openapi.spec.ts`)
      problems.push(...Object.keys(EXERCISES).filter((op) => !operations.includes(op)).map((op) => `${op}: in EXERCISES but not in the document`))
      let answered = 0
      for (const [op, exercises] of Object.entries(EXERCISES)) {
        if (!operations.includes(op)) continue
        const [method, openapiPath] = op.split(" ")
        for (const e of exercises) {
          const c = e.call()
          const answer = await call(c)
          answered++
          if (answer.status !== e.status) problems.push(`${op} (${e.why}): ${answer.status}, expected ${e.status}: ${answer.text.slice(0, 300)}`)
          problems.push(...mismatches(method, openapiPath.replace(/\{(\w+)\}/g, ":$1"), answer).map((p) => `${p} (${e.why})`))
        }
      }
      timings["sweep"] = Date.now() - start
      expect(problems).toEqual([])
      expect(answered).toBeGreaterThanOrEqual(operations.length)
    })

    it("answers list routes with real rows, so the item schemas were exercised and not only empty arrays", async () => {
      const lists: Array<[Who, string, string]> = [
        ["admin", "/admin/loyalty/accounts", "loyalty_accounts"],
        ["admin", `/admin/loyalty/accounts/${member.id}/entries`, "entries"],
        ["member", "/store/customers/me/loyalty/entries", "entries"],
        ["member", "/store/customers/me/loyalty/redemptions", "redemptions"],
        ["admin", "/admin/loyalty/tiers", "tiers"],
        ["store", "/store/loyalty/tiers", "tiers"],
      ]
      for (const [who, url, key] of lists) {
        const res = await call({ who, method: "GET", url })
        expect({ url, rows: ((res.body as Record<string, unknown[]>)[key] ?? []).length > 0 }).toEqual({ url, rows: true })
        expect(mismatches("GET", url.replace(member.id, ":customer_id"), res)).toEqual([])
      }
    })

    it("answers refusals with the documented status and error body: Medusa's 401 and publishable-key 400, INVALID_INPUT, NOT_FOUND, RULES_INVALID", async () => {
      const refusals: Array<[string, string, Answer]> = [
        ["GET", "/admin/loyalty/accounts", await call({ who: "admin", method: "GET", url: "/admin/loyalty/accounts?limit=0x10" })],
        ["GET", "/admin/loyalty/verify", await call({ who: "nobody", method: "GET", url: "/admin/loyalty/verify" })],
        ["GET", "/store/customers/me/loyalty", await call({ who: "store", method: "GET", url: "/store/customers/me/loyalty" })],
        ["GET", "/store/loyalty/tiers", await call({ who: "nobody", method: "GET", url: "/store/loyalty/tiers" })],
        ["GET", "/admin/loyalty/accounts/:customer_id", await call({ who: "admin", method: "GET", url: "/admin/loyalty/accounts/cus_unknown" })],
        ["GET", "/admin/loyalty/entries/:id/explain", await call({ who: "admin", method: "GET", url: "/admin/loyalty/entries/lle_unknown/explain" })],
      ]
      expect(refusals.map(([m, p, a]) => `${m} ${p}: ${a.status} ${(a.body as { code?: string }).code ?? (a.body as { type?: string }).type ?? (a.body as { message?: string }).message}`)).toEqual([
        "GET /admin/loyalty/accounts: 400 INVALID_INPUT",
        "GET /admin/loyalty/verify: 401 Unauthorized",
        "GET /store/customers/me/loyalty: 401 Unauthorized",
        "GET /store/loyalty/tiers: 400 not_allowed",
        "GET /admin/loyalty/accounts/:customer_id: 404 NOT_FOUND",
        "GET /admin/loyalty/entries/:id/explain: 404 NOT_FOUND",
      ])
      expect(refusals.flatMap(([m, p, a]) => mismatches(m, p, a))).toEqual([])

      // Invalid rule files on disk: the reload's own refusal body (with the located issues); the previous rulebook stays live.
      const file = path.join(rulesDir, "accrual.json")
      const original = fs.readFileSync(file, "utf8")
      fs.writeFileSync(file, '{ "kind": "accrual", "rules": [ { "name": "broken" } ] }')
      try {
        const refused = await call({ who: "admin", method: "POST", url: "/admin/loyalty/rules/reload", body: {} })
        expect([refused.status, (refused.body as { code: string }).code]).toEqual([400, "RULES_INVALID"])
        expect(mismatches("POST", "/admin/loyalty/rules/reload", refused)).toEqual([])
        expect(mismatches("GET", "/admin/loyalty/rules", await call({ who: "admin", method: "GET", url: "/admin/loyalty/rules" }))).toEqual([])
      } finally {
        fs.writeFileSync(file, original)
      }
      expect((await call({ who: "admin", method: "POST", url: "/admin/loyalty/rules/reload", body: {} })).status).toBe(200)
    })

    it("fails an answer with an undocumented key, a missing key or a wrong type (the check can fail)", async () => {
      const real = await call({ who: "admin", method: "GET", url: `/admin/loyalty/accounts/${member.id}` })
      const account = (real.body as { loyalty_account: Record<string, unknown> }).loyalty_account
      expect(mismatches("GET", "/admin/loyalty/accounts/:customer_id", real)).toEqual([])
      const extra = { ...real, body: { loyalty_account: { ...account, secret: "x" } } }
      expect(mismatches("GET", "/admin/loyalty/accounts/:customer_id", extra).join("\n")).toMatch(/document:.*\n.*zod response:/)
      const { points_pending: _gone, ...rest } = account
      expect(mismatches("GET", "/admin/loyalty/accounts/:customer_id", { ...real, body: { loyalty_account: rest } }).join("\n")).toMatch(/points_pending/)
      const wrong = { ...real, body: { loyalty_account: { ...account, points_balance: 1.5, created_at: "yesterday" } } }
      expect(mismatches("GET", "/admin/loyalty/accounts/:customer_id", wrong).length).toBeGreaterThanOrEqual(4)
      expect(mismatches("GET", "/admin/loyalty/accounts/:customer_id", { ...real, status: 418 })).toEqual([expect.stringContaining("status not documented")])
    })
  },
})
