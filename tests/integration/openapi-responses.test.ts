import crypto from "crypto"
import fs from "fs"
import path from "path"
import { z } from "zod"
import { discoverRoutes, generateOpenApi, type DiscoveredRoute, type OpenApiDocument } from "../../src/api/openapi"
import type { RouteDocs } from "../../src/api/_shared/route-docs"
import { createAdmin, createCustomer, createProduct, createRegion, placeOrder, REPO_ROOT, rulesDirWithProgram, startStore, waitFor } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

/**
 * Real answers of a real Medusa 1.20 store (dist, over HTTP) against the OpenAPI document generated from the routes'
 * zod schemas (src, the same generation as docs/openapi.json, which tests/unit/openapi.test.ts keeps in step). A
 * member with an order, an adjustment and a redemption gives every GET real rows; the writes and the refusals are
 * called with real data. Each answer is checked twice: against the documented JSON Schema (read back with
 * z.fromJSONSchema: what a client generated from the document expects) and against the route's own zod response
 * schema. Both are strict: an undocumented key fails, a documented key the answer lacks fails.
 */

const API_DIR = path.join(REPO_ROOT, "src", "api")
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { name: string; version: string }

type Answer = { status: number; body: unknown; text: string }
type Auth = "admin" | "customer" | "none"

describe("real answers match the OpenAPI document", () => {
  let store: Store
  let admin: Admin
  let member: Customer
  let rules: { dir: string; remove(): void }
  let doc: OpenApiDocument
  let routes: DiscoveredRoute[]
  let accrualEntryId: string
  let adjustmentEntryId: string
  let orderId: string
  let regionId: string
  let cartId: string
  let productId: string
  let firstAdjustment: Answer
  let firstRedemption: Answer

  beforeAll(async () => {
    doc = generateOpenApi(API_DIR, pkg)
    routes = discoverRoutes(API_DIR)
    rules = rulesDirWithProgram({}) // a copy: the reload test breaks a file in it
    store = await startStore({ pluginOptions: { rules_dir: rules.dir } })
    admin = await createAdmin(store)
    const region = await createRegion(admin)
    regionId = region.id
    const tv = await createProduct(admin, { title: "TV", price: 50000 })
    member = await createCustomer(store)
    const order = await placeOrder(store, { token: member, region, items: [{ variant_id: tv, quantity: 1 }] })
    orderId = order.id
    const entries = await waitFor(async () => {
      const res = await call("customer", "GET", "/store/customers/me/loyalty/entries")
      return (res.body as { entries: Array<{ id: string; kind: string }> }).entries.find((e) => e.kind === "accrual") && res
    })
    accrualEntryId = (entries.body as { entries: Array<{ id: string; kind: string }> }).entries.find((e) => e.kind === "accrual")!.id
    firstAdjustment = await call("admin", "POST", `/admin/loyalty/accounts/${member.id}/adjustments`, {
      body: { points: 150, reason: "goodwill" },
      headers: { "idempotency-key": "openapi-adjust-1" },
    })
    expect(firstAdjustment.status).toBe(200)
    adjustmentEntryId = (firstAdjustment.body as { entry: { id: string } }).entry.id
    firstRedemption = await call("customer", "POST", "/store/customers/me/loyalty/redemptions", {
      body: { points: 500, region_id: region.id },
      headers: { "idempotency-key": "openapi-redeem-1" },
    })
    expect(firstRedemption.status).toBe(201)
    // The earn previews' cart and product.
    cartId = ((await call("customer", "POST", "/store/carts", { body: { region_id: region.id, items: [{ variant_id: tv, quantity: 1 }] } })).body as { cart: { id: string } }).cart.id
    productId = ((await call("none", "GET", `/store/variants/${tv}`)).body as { variant: { product_id: string } }).variant.product_id
  })

  afterAll(async () => {
    await store?.stop()
    rules?.remove()
  })

  /** One HTTP request as `auth`; the body as JSON when it is JSON, the raw text always. */
  async function call(auth: Auth, method: string, urlPath: string, opts: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { accept: "application/json", ...opts.headers }
    if (auth === "admin") headers.authorization = `Bearer ${admin.token}`
    if (auth === "customer") headers.authorization = `Bearer ${member.token}`
    const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
    if (payload !== undefined) headers["content-type"] = "application/json"
    const res = await fetch(store.baseUrl + urlPath, { method, headers, body: payload })
    const text = await res.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // not JSON (Medusa's 401): checked as text
    }
    return { status: res.status, body, text }
  }

  /** A document schema as a standalone JSON Schema: component refs pointed at local $defs. */
  function standalone(schema: unknown): Record<string, unknown> {
    const local = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(local)
        : v && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === "$ref" && typeof x === "string" ? x.replace("#/components/schemas/", "#/$defs/") : local(x)]))
          : v
    return { ...(local(schema) as object), $defs: local(doc.components.schemas) }
  }

  const issuesOf = (r: { success: boolean; error?: z.ZodError }) =>
    r.success ? [] : r.error!.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`)

  /**
   * Why `answer` does not match what the document says `method expressPath` answers with its status; [] when it
   * does. `zodResponse` lets the self-test swap in a changed route schema.
   */
  function mismatches(method: string, expressPath: string, answer: Answer, zodResponse?: z.ZodType): string[] {
    const where = `${method} ${expressPath} → ${answer.status}`
    const op = doc.paths[expressPath.replace(/:(\w+)/g, "{$1}")]?.[method.toLowerCase()]
    if (!op) return [`${where}: no such operation in the document`]
    const response = (op.responses as Record<string, { content?: Record<string, { schema: unknown }> }>)[String(answer.status)]
    if (!response) return [`${where}: status not documented (${answer.text.slice(0, 200)})`]
    const [mediaType, media] = Object.entries(response.content ?? {})[0] ?? []
    if (!media) return [`${where}: documented without a body`]
    const value = mediaType === "application/json" ? answer.body : answer.text
    const problems = issuesOf(z.fromJSONSchema(standalone(media.schema) as never).safeParse(value)).map((p) => `${where}: document: ${p}`)
    if (answer.status < 300) {
      const docs = routes.find((r) => r.path === expressPath)?.docs as RouteDocs | undefined
      const schema = zodResponse ?? docs?.[method as keyof RouteDocs]?.response
      problems.push(...(schema ? issuesOf(schema.safeParse(value)).map((p) => `${where}: zod response: ${p}`) : [`${where}: no zod response schema`]))
    }
    return problems
  }

  async function expectDocumented(method: string, expressPath: string, answer: Answer): Promise<void> {
    expect(mismatches(method, expressPath, answer)).toEqual([])
  }

  /** A value for each path parameter the sweep meets; a new parameter name needs one here. */
  const paramValue = (name: string, openapiPath = ""): string | undefined => {
    if (name === "id" && openapiPath.startsWith("/store/carts/")) return cartId
    if (name === "id" && openapiPath.startsWith("/store/products/")) return productId
    return ({ customer_id: member.id, id: accrualEntryId } as Record<string, string>)[name]
  }
  /** The query a GET needs to answer 2xx (none for most). */
  const sweepQuery = (openapiPath: string): string => (openapiPath === "/store/products/{id}/loyalty/preview" ? `?region_id=${regionId}` : "")

  it("answers every documented GET operation with a 2xx body that matches its documented schema", async () => {
    const problems: string[] = []
    const gets = Object.entries(doc.paths).filter(([, item]) => item.get)
    for (const [openapiPath, item] of gets) {
      const expressPath = openapiPath.replace(/\{(\w+)\}/g, ":$1")
      const missing = [...openapiPath.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((n) => paramValue(n, openapiPath) === undefined)
      if (missing.length) {
        problems.push(`GET ${openapiPath}: give the sweep a value for {${missing.join("}, {")}} (paramValue in this test)`)
        continue
      }
      const url = openapiPath.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(paramValue(n, openapiPath)!)) + sweepQuery(openapiPath)
      const security = (item.get.security as Array<Record<string, unknown>>).map((s) => Object.keys(s)[0])
      const auth: Auth = security.some((s) => s.startsWith("admin")) ? "admin" : security.length ? "customer" : "none"
      const answer = await call(auth, "GET", url)
      if (answer.status >= 300) problems.push(`GET ${url}: ${answer.status} ${answer.text.slice(0, 200)}`)
      problems.push(...mismatches("GET", expressPath, answer))
    }
    expect(problems).toEqual([])
    expect(gets.length).toBeGreaterThanOrEqual(13)
  })

  it("answers the member's first adjustment (200) and redemption (201) as documented", async () => {
    await expectDocumented("POST", "/admin/loyalty/accounts/:customer_id/adjustments", firstAdjustment)
    await expectDocumented("POST", "/store/customers/me/loyalty/redemptions", firstRedemption)
  })

  it("answers lists with real rows (so item schemas were exercised, not just empty arrays)", async () => {
    const lists: Array<[string, string, string]> = [
      ["admin", "/admin/loyalty/accounts", "loyalty_accounts"],
      ["admin", `/admin/loyalty/accounts/${member.id}/entries`, "entries"],
      ["customer", "/store/customers/me/loyalty/entries", "entries"],
      ["customer", "/store/customers/me/loyalty/redemptions", "redemptions"],
      ["admin", "/admin/loyalty/tiers", "tiers"],
      ["admin", "/admin/loyalty/promotions", "promotions"],
    ]
    for (const [auth, url, key] of lists) {
      const res = await call(auth as Auth, "GET", url)
      expect({ url, n: ((res.body as Record<string, unknown[]>)[key] ?? []).length > 0 }).toEqual({ url, n: true })
    }
    const me = await call("customer", "GET", "/store/customers/me/loyalty")
    expect((me.body as { loyalty_account: { next_expiry: unknown; tier: unknown } }).loyalty_account).toMatchObject({
      next_expiry: expect.objectContaining({ points: expect.any(Number) }),
      tier: expect.objectContaining({ code: expect.any(String) }),
    })
  })

  it("explains an accrual (facts, rulebook files) and an adjustment (none) as documented", async () => {
    const accrual = await call("admin", "GET", `/admin/loyalty/entries/${accrualEntryId}/explain`)
    expect(accrual.body).toMatchObject({ facts: { order: { id: orderId } }, rulebook: { files: expect.any(Array) } })
    await expectDocumented("GET", "/admin/loyalty/entries/:id/explain", accrual)
    const adjustment = await call("admin", "GET", `/admin/loyalty/entries/${adjustmentEntryId}/explain`)
    expect(adjustment.body).toMatchObject({ facts: null, rulebook: null, rules_fired: [] })
    await expectDocumented("GET", "/admin/loyalty/entries/:id/explain", adjustment)
  })

  it("answers the writes as documented: adjustment, simulations, rules validate, promotions reconcile, jobs", async () => {
    const debit = await call("admin", "POST", `/admin/loyalty/accounts/${member.id}/adjustments`, {
      body: { points: -20, reason: "correction" },
      headers: { "idempotency-key": "openapi-adjust-2" },
    })
    expect(debit.status).toBe(200)
    await expectDocumented("POST", "/admin/loyalty/accounts/:customer_id/adjustments", debit)

    const writes: Array<[string, unknown]> = [
      ["/admin/loyalty/simulate", { order_id: orderId }],
      ["/admin/loyalty/simulate", { order: { subtotal: 5000, currency_code: "usd" }, customer: { orders_count: 3 } }],
      ["/admin/loyalty/rules/validate", { files: ruleFiles() }],
      ["/admin/loyalty/rules/validate", { files: [{ name: "accrual.json", content: '{ "kind": "accrual", "rules": [ { "name": 1 } ] }' }] }],
      ["/admin/loyalty/promotions/reconcile", {}],
      ["/admin/loyalty/jobs/activate", {}],
      ["/admin/loyalty/jobs/expire", {}],
      ["/admin/loyalty/jobs/tiers", {}],
      ["/admin/loyalty/jobs/reconcile", { since: "2025-01-01", limit: 10 }],
    ]
    const problems: string[] = []
    for (const [url, body] of writes) {
      const answer = await call("admin", "POST", url, { body })
      if (answer.status !== 200) problems.push(`POST ${url}: ${answer.status} ${answer.text.slice(0, 300)}`)
      problems.push(...mismatches("POST", url, answer))
    }
    // An earning action (no action rules in this program: recorded as no_rule, 201), then its replay (200).
    const action = { customer_id: member.id, type: "review", reference: "openapi-review", properties: { rating: 4 } }
    for (const status of [201, 200]) {
      const answer = await call("admin", "POST", "/admin/loyalty/actions", { body: action })
      if (answer.status !== status) problems.push(`POST /admin/loyalty/actions: ${answer.status} ${answer.text.slice(0, 300)}`)
      problems.push(...mismatches("POST", "/admin/loyalty/actions", answer))
    }
    expect(problems).toEqual([])
  })

  it("answers a replayed redemption with 200 and the same documented body, a reused key with the documented 422", async () => {
    const list = (await call("customer", "GET", "/store/customers/me/loyalty/redemptions")).body as { redemptions: Array<{ id: string }> }
    const redeem = (points: number) =>
      call("customer", "POST", "/store/customers/me/loyalty/redemptions", {
        body: { points, region_id: regionId },
        headers: { "idempotency-key": "openapi-redeem-1" },
      })
    const replay = await redeem(500)
    expect(replay.status).toBe(200)
    expect((replay.body as { redemption: { id: string } }).redemption.id).toBe(list.redemptions[0].id)
    await expectDocumented("POST", "/store/customers/me/loyalty/redemptions", replay)
    const conflict = await redeem(600)
    expect([conflict.status, (conflict.body as { code: string }).code]).toEqual([422, "IDEMPOTENCY_CONFLICT"])
    await expectDocumented("POST", "/store/customers/me/loyalty/redemptions", conflict)
  })

  it("answers a reload with the documented body, and invalid rule files with the documented 400 RULES_INVALID", async () => {
    const ok = await call("admin", "POST", "/admin/loyalty/rules/reload", { body: {} })
    expect(ok.status).toBe(200)
    await expectDocumented("POST", "/admin/loyalty/rules/reload", ok)
    const file = path.join(rules.dir, "accrual.json")
    const original = fs.readFileSync(file, "utf8")
    fs.writeFileSync(file, '{ "kind": "accrual", "rules": [ { "name": "broken" } ] }')
    try {
      const refused = await call("admin", "POST", "/admin/loyalty/rules/reload", { body: {} })
      expect(refused.body).toMatchObject({ code: "RULES_INVALID", issues: expect.any(Array) })
      await expectDocumented("POST", "/admin/loyalty/rules/reload", refused)
      // The failed reload is shown by GET rules: last_reload_error with its issues, as documented.
      await expectDocumented("GET", "/admin/loyalty/rules", await call("admin", "GET", "/admin/loyalty/rules"))
    } finally {
      fs.writeFileSync(file, original)
    }
    expect((await call("admin", "POST", "/admin/loyalty/rules/reload", { body: {} })).status).toBe(200)
  })

  it("answers refusals with the documented status and error body", async () => {
    const refusals: Array<[string, string, string, Answer]> = [
      ["GET", "/admin/loyalty/accounts", "bad query", await call("admin", "GET", "/admin/loyalty/accounts?limit=0x10")],
      ["GET", "/admin/loyalty/verify", "no login", await call("none", "GET", "/admin/loyalty/verify")],
      ["GET", "/store/customers/me/loyalty", "no login", await call("none", "GET", "/store/customers/me/loyalty")],
      ["GET", "/admin/loyalty/accounts/:customer_id", "unknown customer", await call("admin", "GET", "/admin/loyalty/accounts/cus_unknown")],
      ["POST", "/admin/loyalty/simulate", "unknown order", await call("admin", "POST", "/admin/loyalty/simulate", { body: { order_id: "order_unknown" } })],
      [
        "POST",
        "/admin/loyalty/accounts/:customer_id/adjustments",
        "key reused",
        await call("admin", "POST", `/admin/loyalty/accounts/${member.id}/adjustments`, {
          body: { points: 999, reason: "other" },
          headers: { "idempotency-key": "openapi-adjust-1" },
        }),
      ],
      [
        "POST",
        "/store/customers/me/loyalty/redemptions",
        "not enough points",
        await call("customer", "POST", "/store/customers/me/loyalty/redemptions", {
          body: { points: 1_000_000, region_id: regionId },
          headers: { "idempotency-key": crypto.randomUUID() },
        }),
      ],
      ["POST", "/admin/loyalty/jobs/tiers", "too large", await call("admin", "POST", "/admin/loyalty/jobs/tiers", { raw: JSON.stringify({ pad: "x".repeat(200_000) }) })],
    ]
    const statuses = refusals.map(([m, p, why, a]) => `${m} ${p} ${why}: ${a.status}`)
    expect(statuses).toEqual([
      "GET /admin/loyalty/accounts bad query: 400",
      "GET /admin/loyalty/verify no login: 401",
      "GET /store/customers/me/loyalty no login: 401",
      "GET /admin/loyalty/accounts/:customer_id unknown customer: 404",
      "POST /admin/loyalty/simulate unknown order: 404",
      "POST /admin/loyalty/accounts/:customer_id/adjustments key reused: 422",
      "POST /store/customers/me/loyalty/redemptions not enough points: 400",
      "POST /admin/loyalty/jobs/tiers too large: 413",
    ])
    expect(refusals.flatMap(([m, p, , a]) => mismatches(m, p, a))).toEqual([])
  })

  it("fails on an undocumented key, a missing key, or a schema that lost a field (the check can fail)", async () => {
    const url = `/admin/loyalty/accounts/${member.id}`
    const real = await call("admin", "GET", url)
    const body = real.body as { loyalty_account: Record<string, unknown> }
    expect(mismatches("GET", "/admin/loyalty/accounts/:customer_id", real)).toEqual([])

    const extra = { ...real, body: { loyalty_account: { ...body.loyalty_account, secret: "x" } } }
    expect(mismatches("GET", "/admin/loyalty/accounts/:customer_id", extra).join("\n")).toMatch(/document:.*\n.*zod response:/)

    const { points_pending: _gone, ...rest } = body.loyalty_account
    const missing = { ...real, body: { loyalty_account: rest } }
    expect(mismatches("GET", "/admin/loyalty/accounts/:customer_id", missing).join("\n")).toMatch(/points_pending/)

    const docs = routes.find((r) => r.path === "/admin/loyalty/accounts/:customer_id")!.docs!.GET!.response as z.ZodObject<{ loyalty_account: z.ZodObject }>
    const narrower = z.strictObject({ loyalty_account: docs.shape.loyalty_account.omit({ points_pending: true }) })
    expect(mismatches("GET", "/admin/loyalty/accounts/:customer_id", real, narrower).join("\n")).toMatch(/zod response:.*points_pending/)

    const wrongType = { ...real, body: { loyalty_account: { ...body.loyalty_account, points_balance: 1.5, created_at: "yesterday" } } }
    expect(mismatches("GET", "/admin/loyalty/accounts/:customer_id", wrongType).length).toBeGreaterThanOrEqual(4)
  })

  /** The top-level rule files of the store's rules directory, as POST rules/validate takes them. */
  function ruleFiles(): Array<{ name: string; content: string }> {
    return fs
      .readdirSync(rules.dir)
      .filter((f) => f.endsWith(".json"))
      .map((name) => ({ name, content: fs.readFileSync(path.join(rules.dir, name), "utf8") }))
  }
})
