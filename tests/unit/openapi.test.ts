import fs from "fs"
import path from "path"
import { z } from "zod"
import {
  buildOpenApi,
  discoverRoutes,
  generateOpenApi,
  HTTP_METHODS,
  routeDocsProblems,
  routeOperations,
  type DiscoveredRoute,
  type OpenApiDocument,
} from "../../src/api/openapi"

/**
 * The OpenAPI document (src/api/openapi.ts) against the route files: every handler has its operation and every
 * operation its handler, the document is well-formed OpenAPI 3.1, and docs/openapi.json is what the code generates
 * now. Real answers against the documented schemas: tests/integration/openapi-responses.test.ts.
 */

const ROOT = path.resolve(__dirname, "..", "..")
const API_DIR = path.join(ROOT, "src", "api")
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string }

type Node = null | boolean | number | string | Node[] | { [key: string]: Node }

/** Every value in the document with its JSON pointer. */
function* walk(value: Node, pointer = ""): Generator<[string, Node]> {
  yield [pointer, value]
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) yield* walk(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`)
  }
}

function resolvePointer(doc: Node, ref: string): Node | undefined {
  if (!ref.startsWith("#/")) return undefined
  let at: Node | undefined = doc
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~")
    at = at && typeof at === "object" && !Array.isArray(at) ? (at as Record<string, Node>)[key] : undefined
  }
  return at
}

/** What is wrong with `doc` as an OpenAPI 3.1 document, structurally; [] when nothing. */
function structuralProblems(doc: OpenApiDocument): string[] {
  const problems: string[] = []
  if (doc.openapi !== "3.1.0") problems.push(`openapi is ${doc.openapi}`)
  const info = doc.info as Record<string, unknown>
  if (typeof info?.title !== "string" || typeof info?.version !== "string") problems.push("info needs title and version")
  const schemes = Object.keys((doc.components.securitySchemes ?? {}) as object)
  const declaredTags = new Set(((doc.tags ?? []) as Array<{ name: string }>).map((t) => t.name))
  const operationIds = new Map<string, string>()
  for (const [p, item] of Object.entries(doc.paths)) {
    if (!p.startsWith("/") || p.includes(":")) problems.push(`${p}: a path starts with / and templates parameters as {name}`)
    const templated = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const [method, op] of Object.entries(item)) {
      const where = `${method} ${p}`
      if (!HTTP_METHODS.map((m) => m.toLowerCase()).includes(method as never)) problems.push(`${where}: not an HTTP method`)
      const id = op.operationId as string
      if (!id) problems.push(`${where}: no operationId`)
      else if (operationIds.has(id)) problems.push(`${where}: operationId ${id} also used by ${operationIds.get(id)}`)
      else operationIds.set(id, where)
      if (typeof op.summary !== "string" || !op.summary) problems.push(`${where}: no summary`)
      const params = (op.parameters ?? []) as Array<Record<string, unknown>>
      const inPath = params.filter((x) => x.in === "path")
      if (inPath.map((x) => x.name).sort().join() !== templated.join()) problems.push(`${where}: path parameters do not match the template`)
      if (inPath.some((x) => x.required !== true)) problems.push(`${where}: a path parameter must be required`)
      const keys = params.map((x) => `${x.in}:${x.name}`)
      if (new Set(keys).size !== keys.length) problems.push(`${where}: duplicate parameters`)
      if (params.some((x) => !["path", "query", "header", "cookie"].includes(x.in as string) || !x.schema)) problems.push(`${where}: a parameter without a valid in or schema`)
      const responses = (op.responses ?? {}) as Record<string, Record<string, unknown>>
      const success = Object.keys(responses).filter((s) => /^2\d\d$/.test(s))
      if (!success.length) problems.push(`${where}: no 2xx response`)
      for (const s of success) if (!(responses[s].content as Record<string, unknown>)?.["application/json"]) problems.push(`${where}: ${s} without a JSON body`)
      if (Object.values(responses).some((r) => typeof r.description !== "string")) problems.push(`${where}: a response without a description`)
      for (const req of (op.security ?? []) as Array<Record<string, unknown>>) {
        for (const name of Object.keys(req)) if (!schemes.includes(name)) problems.push(`${where}: unknown security scheme ${name}`)
      }
      for (const t of (op.tags ?? []) as string[]) if (!declaredTags.has(t)) problems.push(`${where}: tag ${t} not declared`)
    }
  }
  for (const [pointer, value] of walk(doc as unknown as Node)) {
    if (pointer.endsWith("/$ref") && (typeof value !== "string" || resolvePointer(doc as unknown as Node, value) === undefined)) {
      problems.push(`${pointer}: $ref ${JSON.stringify(value)} does not resolve`)
    }
  }
  return problems
}

/** Every schema object of the document (request bodies, parameters, responses, components). */
function schemasOf(doc: OpenApiDocument): Array<[string, Node]> {
  return [...walk(doc as unknown as Node)].filter(
    ([pointer]) => /\/(schema|schemas\/[^/]+)$/.test(pointer) && !pointer.includes("/properties/") && !pointer.startsWith("/components/securitySchemes")
  )
}

/** A document schema as a standalone JSON Schema: its component refs pointed at local $defs. */
function standalone(doc: OpenApiDocument, schema: Node): Record<string, unknown> {
  const local = (v: Node): Node =>
    Array.isArray(v) ? v.map(local) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === "$ref" && typeof x === "string" ? x.replace("#/components/schemas/", "#/$defs/") : local(x)])) : v
  return { ...(local(schema) as object), $defs: local((doc.components.schemas ?? {}) as Node) }
}

describe("OpenAPI document of the plugin's routes", () => {
  let routes: DiscoveredRoute[]
  let doc: OpenApiDocument

  beforeAll(() => {
    routes = discoverRoutes(API_DIR)
    doc = generateOpenApi(API_DIR, pkg)
  })

  it("finds the route files Medusa's router loads, [param] folders as :param", () => {
    const paths = routes.map((r) => r.path)
    expect(paths).toContain("/admin/loyalty/accounts/:customer_id/adjustments")
    expect(paths).toContain("/store/loyalty/tiers")
    expect(paths.some((p) => p.includes("_shared") || p.includes("["))).toBe(false)
    // The same route files the hostile-input table is checked against (a source scan there, a require here).
    const scanned = (fs.readdirSync(API_DIR, { recursive: true }) as string[]).filter((f) => path.basename(f) === "route.ts")
    expect(routes.map((r) => r.file).sort()).toEqual(scanned.sort())
  })

  it("has an operation for every exported handler of every route file, and no operation without a handler", () => {
    expect(routeDocsProblems(routes)).toEqual([])
    const operations = routeOperations(routes).map((o) => `${o.method} ${o.path}`)
    const handlers = routes.flatMap((r) => r.handlers.map((m) => `${m} ${r.path}`))
    expect(operations.sort()).toEqual(handlers.sort())
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`))
    expect(documented.sort()).toEqual(handlers.map((h) => h.replace(/:(\w+)/g, "{$1}")).sort())
  })

  it("names the route file when a handler has no operation or an operation no handler (and the build fails)", () => {
    const docs = { summary: "x", response: z.object({}) }
    const broken: DiscoveredRoute[] = [
      { file: "admin/a/route.ts", path: "/admin/a", handlers: ["GET", "POST"], docs: { GET: docs } },
      { file: "admin/b/route.ts", path: "/admin/b", handlers: ["GET"], docs: { GET: docs, DELETE: docs } },
      { file: "admin/c/route.ts", path: "/admin/c", handlers: ["GET"], docs: undefined },
    ]
    expect(routeDocsProblems(broken)).toEqual([
      expect.stringMatching(/^admin\/a\/route\.ts: POST \/admin\/a has a handler but no openapi\.POST — add `export const openapi: RouteDocs = \{ POST: \{ summary, query, body\?, response, errors\? \} \}`/),
      "admin/b/route.ts: openapi.DELETE documents DELETE /admin/b, which has no handler",
      expect.stringMatching(/^admin\/c\/route\.ts: exports handlers but no `openapi: RouteDocs` — add `export const openapi: RouteDocs = \{ GET: /),
    ])
    expect(() => routeOperations(broken)).toThrow(/admin\/a\/route\.ts: POST/)
  })

  it("is a structurally valid OpenAPI 3.1 document: unique operationIds, matching path parameters, every $ref resolves", () => {
    expect(structuralProblems(doc)).toEqual([])
    expect(Object.keys(doc.paths).length).toBeGreaterThanOrEqual(22)
  })

  it("catches a broken document (so the structural check can fail)", () => {
    const broken = JSON.parse(JSON.stringify(doc)) as OpenApiDocument
    const first = Object.values(broken.paths)[0]
    const second = Object.values(broken.paths)[1]
    Object.values(second)[0].operationId = Object.values(first)[0].operationId
    ;(broken.components.schemas as Record<string, unknown>).LoyaltyError = undefined
    delete (broken.components.schemas as Record<string, unknown>).LoyaltyError
    const problems = structuralProblems(broken)
    expect(problems.some((p) => p.includes("operationId"))).toBe(true)
    expect(problems.some((p) => p.includes("#/components/schemas/LoyaltyError") && p.includes("does not resolve"))).toBe(true)
  })

  it("holds only JSON Schemas that zod can read back (draft 2020-12)", () => {
    const unreadable = schemasOf(doc).flatMap(([pointer, schema]) => {
      try {
        z.fromJSONSchema(standalone(doc, schema) as never)
        return []
      } catch (e) {
        return [`${pointer}: ${(e as Error).message}`]
      }
    })
    expect(unreadable).toEqual([])
    expect(schemasOf(doc).length).toBeGreaterThan(50)
  })

  it("documents admin routes with Medusa's admin authentication, my-account routes with a customer's, public tiers with none", () => {
    const security = (p: string, m: string) => (doc.paths[p][m].security as Array<Record<string, unknown>>).map((s) => Object.keys(s)[0])
    expect(security("/admin/loyalty/verify", "get")).toEqual(["admin_session", "admin_bearer", "admin_api_token"])
    expect(security("/store/customers/me/loyalty", "get")).toEqual(["customer_session", "customer_bearer"])
    expect(security("/store/loyalty/tiers", "get")).toEqual([])
    expect(doc.components.securitySchemes).toMatchObject({
      admin_api_token: { type: "apiKey", in: "header", name: "x-medusa-access-token" },
      customer_session: { type: "apiKey", in: "cookie", name: "connect.sid" },
    })
    expect(Object.keys(doc.paths["/store/loyalty/tiers"].get.responses as object)).not.toContain("401")
  })

  it("documents the required Idempotency-Key header and the 201/200 (replay) of a redemption", () => {
    const op = doc.paths["/store/customers/me/loyalty/redemptions"].post
    expect(op.parameters).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", in: "header", required: true }))
    expect(Object.keys(op.responses as object)).toEqual(["200", "201", "400", "401", "404", "413", "422", "500"])
    expect((op.requestBody as { required: boolean }).required).toBe(true)
    expect((doc.paths["/admin/loyalty/jobs/reconcile"].post.requestBody as { required: boolean }).required).toBe(false)
  })

  it("refuses docs whose path parameters disagree with the path, and moves zod $defs into components", () => {
    const params = z.object({ id: z.string() })
    expect(() =>
      buildOpenApi([{ method: "GET", path: "/admin/x/:customer_id", docs: { summary: "x", params, response: z.object({}) } }], { title: "t", version: "1" })
    ).toThrow(/params \[id\] do not match the path's \[customer_id\]/)
    const Shared = z.strictObject({ n: z.number() }).meta({ id: "OpenapiTestShared" })
    const built = buildOpenApi([{ method: "GET", path: "/store/x", docs: { summary: "x", response: z.strictObject({ a: Shared, b: Shared }) } }], { title: "t", version: "1" })
    expect(built.components.schemas).toHaveProperty("OpenapiTestShared")
    expect(structuralProblems(built)).toEqual([])
  })

  it("is committed as docs/openapi.json exactly as the routes generate it now", () => {
    const fresh = JSON.stringify(doc, null, 2) + "\n"
    const file = path.join(ROOT, "docs", "openapi.json")
    const committed = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""
    if (committed !== fresh) {
      throw new Error("docs/openapi.json is stale (the routes' openapi exports changed): run `npm run openapi` and commit docs/openapi.json")
    }
  })
})

describe("the named response schemas", () => {
  it("free exactly the ids they name before naming them, so a second evaluation in one process cannot collide", () => {
    const source = fs.readFileSync(path.join(ROOT, "src", "domain", "http", "response-schemas.ts"), "utf8")
    const named = [...source.matchAll(/meta\(\{ id: "([A-Za-z]+)"/g)].map((m) => m[1])
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { NAMED_SCHEMA_IDS } = require("../../src/domain/http/response-schemas")
    expect([...NAMED_SCHEMA_IDS].sort()).toEqual([...named].sort())
  })
})
