import fs from "fs"
import http from "http"
import net from "net"
import path from "path"
import { createAdmin, createCustomer, createRegion, query, REPO_ROOT, settleEvents, startStore } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

/**
 * Every plugin route × hostile input on a real Medusa 1.20 + PostgreSQL, over HTTP: each answers a clean 4xx (413 for
 * an over-limit body) with a JSON message that leaks nothing internal, and the whole table writes nothing.
 */

type Method = "GET" | "POST" | "DELETE"
type Auth = "admin" | "customer" | "public"
type RouteRow = { auth: Auth; sample?: Record<string, unknown>; overRange?: Record<string, unknown>; limitBytes?: number; idempotent?: boolean }

const BODY_LIMIT = 100 * 1024 // src/api/_shared/input-guard.ts BODY_LIMIT_BYTES
const RULES_VALIDATE_LIMIT = 1_000_000 // RULES_VALIDATE_BODY_LIMIT_BYTES

/** One row per route and method: who may call it, a well-formed body (text fields to poison), an over-range body. */
const ROUTES: Record<string, RouteRow> = {
  "GET /admin/loyalty/accounts": { auth: "admin" },
  "GET /admin/loyalty/actions": { auth: "admin" },
  "POST /admin/loyalty/actions": {
    auth: "admin",
    sample: { customer_id: "cus_1", type: "review", reference: "review_1" },
    overRange: { customer_id: "cus_1", type: "review", reference: "x".repeat(201) },
  },
  "GET /admin/loyalty/accounts/[customer_id]": { auth: "admin" },
  "POST /admin/loyalty/accounts/[customer_id]/adjustments": {
    auth: "admin",
    idempotent: true,
    sample: { points: 10, reason: "goodwill" },
    overRange: { points: 2_147_483_648, reason: "too many" },
  },
  "GET /admin/loyalty/accounts/[customer_id]/entries": { auth: "admin" },
  "GET /admin/loyalty/accounts/[customer_id]/redemptions": { auth: "admin" },
  "GET /admin/loyalty/entries/[id]/explain": { auth: "admin" },
  "POST /admin/loyalty/jobs/activate": { auth: "admin", sample: {} },
  "POST /admin/loyalty/jobs/birthdays": { auth: "admin", sample: {} },
  "POST /admin/loyalty/jobs/expire": { auth: "admin", sample: {} },
  "POST /admin/loyalty/jobs/reconcile": { auth: "admin", sample: { since: "2025-01-01" }, overRange: { limit: 1e12 } },
  "POST /admin/loyalty/jobs/tiers": { auth: "admin", sample: {} },
  "GET /admin/loyalty/promotions": { auth: "admin" },
  "POST /admin/loyalty/promotions/reconcile": { auth: "admin", sample: {} },
  "GET /admin/loyalty/rules": { auth: "admin" },
  "GET /admin/loyalty/rules/files": { auth: "admin" },
  "POST /admin/loyalty/rules/reload": { auth: "admin", sample: {} },
  "POST /admin/loyalty/rules/backtest": {
    auth: "admin",
    sample: { files: [{ name: "accrual.json", content: "{}" }] },
    overRange: { files: [{ name: "accrual.json", content: "{}" }], limit_orders: 1e12 },
    limitBytes: RULES_VALIDATE_LIMIT,
  },
  "POST /admin/loyalty/rules/validate": {
    auth: "admin",
    sample: { files: [{ name: "accrual.json", content: "{}" }] },
    limitBytes: RULES_VALIDATE_LIMIT,
  },
  // Its body may carry candidate rule files: the rule files' limit.
  "POST /admin/loyalty/simulate": { auth: "admin", sample: { order_id: "order_1" }, overRange: { order: { subtotal: 2 ** 60 } }, limitBytes: RULES_VALIDATE_LIMIT },
  "GET /admin/loyalty/settings": { auth: "admin" },
  "GET /admin/loyalty/stats/activity": { auth: "admin" },
  "GET /admin/loyalty/stats/tiers": { auth: "admin" },
  "GET /admin/loyalty/tiers": { auth: "admin" },
  "GET /admin/loyalty/verify": { auth: "admin" },
  "GET /store/customers/me/loyalty": { auth: "customer" },
  "GET /store/customers/me/loyalty/entries": { auth: "customer" },
  "GET /store/customers/me/loyalty/promotions": { auth: "customer" },
  "GET /store/customers/me/loyalty/redemptions": { auth: "customer" },
  "GET /store/customers/me/loyalty/referral": { auth: "customer" },
  "POST /store/customers/me/loyalty/referral": { auth: "customer", sample: { code: "ABCDEFGH" }, overRange: { code: "A".repeat(41) } },
  "POST /store/customers/me/loyalty/redemptions": {
    auth: "customer",
    idempotent: true,
    sample: { points: 500, region_id: "reg_1" },
    overRange: { points: 1e15, region_id: "reg_1" },
  },
  "GET /store/loyalty/tiers": { auth: "public" },
  "POST /store/carts/[id]/loyalty/points": { auth: "customer", sample: { points: 500 }, overRange: { points: 1e15 } },
  "DELETE /store/carts/[id]/loyalty/points": { auth: "customer" },
  "GET /store/carts/[id]/loyalty/preview": { auth: "public" },
  "GET /store/products/[id]/loyalty/preview": { auth: "public" },
}

/** Every `export const GET|POST|…` of every src/api/**\/route.ts, as "METHOD /path/[param]". */
function discoverRoutes(): string[] {
  const apiDir = path.join(REPO_ROOT, "src", "api")
  const files = (fs.readdirSync(apiDir, { recursive: true }) as string[]).filter((f) => path.basename(f) === "route.ts")
  return files.flatMap((f) => {
    const urlPath = "/" + path.dirname(f).split(path.sep).join("/")
    const methods = [...fs.readFileSync(path.join(apiDir, f), "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)]
    return methods.map((m) => `${m[1]} ${urlPath}`)
  })
}

type Request = { path: string; query?: string; headers?: Record<string, string>; body?: string | Buffer; contentType?: string }
type Hostile = { name: string; status: number; mentions?: string; request(route: RouteCtx): Request }
type RouteCtx = { method: Method; path: (param?: string) => string; row: RouteRow }

const json = (v: unknown) => JSON.stringify(v)
const sampleOf = (r: RouteCtx) => r.row.sample ?? {}

/** The first string of a body with a NUL in it, or a text field added when the body has none. */
function poisoned(body: Record<string, unknown>): Record<string, unknown> {
  const text = json(body)
  return text.includes('":"') ? JSON.parse(text.replace('":"', '":"nul\\u0000')) : { ...body, text: "nul\u0000byte" }
}

const HOSTILE: Hostile[] = [
  { name: "malformed JSON", status: 400, request: (r) => ({ path: r.path(), body: '{"points": 1,' }) },
  { name: "a JSON string as the body", status: 400, request: (r) => ({ path: r.path(), body: '"points"' }) },
  { name: "a JSON array as the body", status: 400, request: (r) => ({ path: r.path(), body: json([sampleOf(r)]) }) },
  { name: "a text/plain body", status: 400, request: (r) => ({ path: r.path(), body: "points=1", contentType: "text/plain" }) },
  {
    name: "a body over the route's limit",
    status: 413,
    mentions: "bytes",
    request: (r) => ({ path: r.path(), body: json({ ...sampleOf(r), pad: "x".repeat(r.row.limitBytes ?? BODY_LIMIT) }) }),
  },
  { name: "a NUL byte in the path id", status: 400, mentions: "NUL", request: (r) => ({ path: r.path("cus%00x") }) },
  { name: "a malformed %-escape in the path", status: 400, mentions: "%-escape", request: (r) => ({ path: r.path("%E0%A4%A") }) },
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
    request: (r) =>
      r.row.overRange ? { path: r.path(), body: json(r.row.overRange) } : { path: r.path(), query: "offset=99999999999999999999" },
  },
  {
    name: "JSON nested deeper than any body needs",
    status: 400,
    request: (r) => ({ path: r.path(), body: `{"deep":${"[".repeat(5000)}${"]".repeat(5000)}}` }),
  },
]

/** Internal things a message must never show: stack frames, driver and ORM errors, SQL, zod's internal marker. */
const LEAKS = /QueryFailedError|TypeORMError|node_modules|\bat \S+ \(|\bSELECT\b|\bINSERT\b|\bUPDATE\b|relation "|\u0000|allowed-keys|unknown error/i

describe("hostile input on every plugin route", () => {
  let store: Store
  let admin: Admin
  let customer: Customer
  const table = discoverRoutes().sort()

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    admin = await createAdmin(store)
    customer = await createCustomer(store)
    // A member with history, so "nothing written" is checked against real rows.
    const ok = await send(route("POST /admin/loyalty/accounts/[customer_id]/adjustments"), {
      path: `/admin/loyalty/accounts/${customer.id}/adjustments`,
      body: json({ points: 700, reason: "welcome" }),
      headers: { "idempotency-key": "hostile-seed" },
    })
    expect(ok.status).toBe(200)
  })

  afterAll(async () => {
    await store?.stop()
  })

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const ledgerSnapshot = async () => ({
    entries: await sql(`SELECT id, points, balance_after FROM loyalty_ledger_entry ORDER BY seq`),
    accounts: await sql(`SELECT customer_id, points_balance, points_lifetime::text, points_pending, tier FROM loyalty_account ORDER BY id`),
    redemptions: await sql(`SELECT id, points, amount_minor, status FROM loyalty_redemption ORDER BY id`),
    discounts: (await sql(`SELECT count(*)::int AS n FROM discount`))[0].n,
  })

  function route(key: string): RouteCtx {
    const [method, pattern] = key.split(" ") as [Method, string]
    const row = ROUTES[key]
    return {
      method,
      row,
      path: (param) => {
        const real = pattern.replace("[customer_id]", customer.id).replace("[id]", "lle_unknown")
        if (param === undefined) return real
        // Routes with an id take the hostile text there; the others at the end of their last segment.
        return pattern.includes("[") ? pattern.replace(/\[[a-z_]+\]/, param) : real + param
      },
    }
  }

  function authHeaders(auth: Auth): Record<string, string> {
    if (auth === "admin") return { authorization: `Bearer ${admin.token}` }
    if (auth === "customer") return { authorization: `Bearer ${customer.token}` }
    return {}
  }

  /** A raw HTTP request (fetch refuses a GET body; every route must also survive one). */
  function send(r: RouteCtx, req: Request): Promise<{ status: number; body: any; text: string }> {
    const url = new URL(store.baseUrl)
    const headers: Record<string, string> = {
      ...authHeaders(r.row.auth),
      ...(r.row.idempotent ? { "idempotency-key": `hostile-${Math.random().toString(36).slice(2)}` } : {}),
      // An explicit length: Node sends a GET body unframed otherwise, and the server would read it as the next request.
      ...(req.body !== undefined ? { "content-type": req.contentType ?? "application/json", "content-length": String(Buffer.byteLength(req.body)) } : {}),
      ...req.headers,
    }
    return new Promise((resolve) => {
      const out = http.request(
        { host: url.hostname, port: url.port, method: r.method, path: req.path + (req.query ? `?${req.query}` : ""), headers },
        (res) => {
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
        }
      )
      // A refused body may be cut off while it is still being sent: report that, do not abort the table.
      out.on("error", (e) => resolve({ status: 0, body: null, text: `request error: ${e.message}` }))
      out.end(req.body)
    })
  }

  /** A request with a raw NUL in a header, written on a socket (Node's HTTP clients refuse to send one). */
  function sendNulHeader(r: RouteCtx): Promise<string> {
    const url = new URL(store.baseUrl)
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
    expect(table).toEqual(Object.keys(ROUTES).sort())
  })

  it("answers every hostile input on every route with a clean 4xx and writes nothing", async () => {
    const before = await ledgerSnapshot()
    const failures: string[] = []
    for (const key of table) {
      const r = route(key)
      for (const h of HOSTILE) {
        const res = await send(r, h.request(r))
        const message: unknown = res.body?.message
        const problem =
          res.status !== h.status
            ? `status ${res.status}, expected ${h.status}`
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
    expect(failures).toEqual([])
    expect(await ledgerSnapshot()).toEqual(before)
  })

  it("lets rules/validate take rule files past the 100 KiB default, up to its own 1,000,000-byte limit", async () => {
    const r = route("POST /admin/loyalty/rules/validate")
    const content = JSON.stringify({ kind: "accrual", description: "x".repeat(300_000), rules: [] })
    const res = await send(r, { path: r.path(), body: json({ files: [{ name: "accrual.json", content }] }) })
    expect(res.status).toBe(200)
    expect(res.body).toHaveProperty("valid")
  })

  const adjust = (customer_id: string, points: number, key: string) =>
    send(route("POST /admin/loyalty/accounts/[customer_id]/adjustments"), {
      path: `/admin/loyalty/accounts/${customer_id}/adjustments`,
      body: json({ points, reason: "big spender" }),
      headers: { "idempotency-key": key },
    })
  const redeem = (c: Customer, body: Record<string, unknown>, key: string) =>
    send(
      { ...route("POST /store/customers/me/loyalty/redemptions"), row: { auth: "public" } },
      {
        path: "/store/customers/me/loyalty/redemptions",
        body: json(body),
        headers: { authorization: `Bearer ${c.token}`, "idempotency-key": key },
      }
    )

  it("keeps counting lifetime points past 2,147,483,647 (earn, spend, earn again) and answers them as a number", async () => {
    const region = await createRegion(admin, { countries: ["us"] })
    const big = await createCustomer(store)
    expect((await adjust(big.id, 2_000_000_000, "life-1")).status).toBe(200)
    const spent = await redeem(big, { points: 2_000_000_000, region_id: region.id }, "life-redeem")
    expect(spent.status).toBe(201)
    expect(spent.body.redemption).toMatchObject({ points: 2_000_000_000, amount: 2_000_000_000, currency_code: "usd" })
    const again = await adjust(big.id, 2_000_000_000, "life-2")
    expect(again.status).toBe(200)
    expect(again.body.loyalty_account).toMatchObject({ points_balance: 2_000_000_000, points_lifetime: 4_000_000_000 })
    const me = await send(route("GET /store/customers/me/loyalty"), {
      path: "/store/customers/me/loyalty",
      headers: { authorization: `Bearer ${big.token}` },
    })
    expect(me.body.loyalty_account).toMatchObject({ points_balance: 2_000_000_000, points_lifetime: 4_000_000_000 })
    const verify = await send(route("GET /admin/loyalty/verify"), { path: "/admin/loyalty/verify" })
    expect(verify.body).toMatchObject({ ok: true })
  })

  it("refuses a balance past the points column with a 400 naming the limit, writing nothing", async () => {
    const full = await createCustomer(store)
    expect((await adjust(full.id, 2_147_483_647, "full-1")).status).toBe(200)
    // Earlier tests' events (region.created → the promotions reconcile creates discounts) land before the snapshot.
    await settleEvents()
    const before = await ledgerSnapshot()
    const over = await adjust(full.id, 1, "full-2")
    expect(over.status).toBe(400)
    expect(over.body.message).toContain("2147483647")
    expect(await ledgerSnapshot()).toEqual(before)
  })

  it("refuses a redemption worth more than Medusa's largest discount in a 3-decimal currency with a 400, writing nothing", async () => {
    expect((await admin.api.post("/admin/store/currencies/kwd", {})).status).toBe(200) // a region's currency must be the store's
    const kwd = await createRegion(admin, { currency_code: "kwd", countries: ["kw"] })
    const rich = await createCustomer(store)
    expect((await adjust(rich.id, 300_000_000, "kwd-1")).status).toBe(200) // 300M points × 10 fils = 3e9 > int4
    const before = await ledgerSnapshot()
    const res = await redeem(rich, { points: 300_000_000, region_id: kwd.id }, "kwd-redeem")
    expect(res.status).toBe(400)
    expect(res.body.message).toContain("largest discount")
    expect(res.body.message).not.toMatch(LEAKS)
    expect(await ledgerSnapshot()).toEqual(before)
    const fits = await redeem(rich, { points: 200_000_000, region_id: kwd.id }, "kwd-redeem-2")
    expect(fits.status).toBe(201)
    expect(fits.body.redemption).toMatchObject({ amount: 2_000_000_000, currency_code: "kwd" })
  })
})
