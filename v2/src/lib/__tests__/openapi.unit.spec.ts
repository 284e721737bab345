import fs from "fs"
import path from "path"
import { z } from "zod"
import { documentProblems, documentSchemas, routeDocsProblems, routeOperations, standaloneSchema, type DiscoveredRoute, type OpenApiDocument } from "../../core/domain/http/openapi-document"
import { discoverRoutes, generateOpenApi } from "../openapi"

/**
 * The v2 OpenAPI document (src/lib/openapi.ts) against v2's route files: every handler has its operation and every
 * operation its handler, the document is well-formed OpenAPI 3.1, and docs/openapi.json is what the code generates
 * now. Real answers against it: integration-tests/http/openapi.spec.ts.
 */

const V2 = path.resolve(__dirname, "..", "..", "..")
const API_DIR = path.join(V2, "src", "api")
const pkg = JSON.parse(fs.readFileSync(path.join(V2, "package.json"), "utf8")) as { name: string; version: string; files: string[] }

describe("v2 OpenAPI document of the plugin's routes", () => {
  let routes: DiscoveredRoute[]
  let doc: OpenApiDocument

  beforeAll(() => {
    routes = discoverRoutes(API_DIR)
    doc = generateOpenApi(API_DIR, pkg)
  })

  it("finds every route.ts Medusa 2 loads, [param] folders as :param", () => {
    const scanned = (fs.readdirSync(API_DIR, { recursive: true }) as string[]).filter((f) => path.basename(f) === "route.ts" && !f.split(path.sep).some((s) => s.startsWith("_")))
    expect(routes.map((r) => r.file).sort()).toEqual(scanned.sort())
    expect(routes.map((r) => r.path)).toContain("/admin/loyalty/accounts/:customer_id/adjustments")
  })

  it("has an operation for every exported handler of every route file, and no operation without a handler", () => {
    expect(routeDocsProblems(routes)).toEqual([])
    const handlers = routes.flatMap((r) => r.handlers.map((m) => `${m} ${r.path.replace(/:(\w+)/g, "{$1}")}`))
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`))
    expect(documented.sort()).toEqual(handlers.sort())
    expect(routeOperations(routes).length).toBe(handlers.length)
  })

  it("is a structurally valid OpenAPI 3.1 document whose schemas zod can read back", () => {
    expect(documentProblems(doc)).toEqual([])
    const unreadable = documentSchemas(doc).flatMap(([pointer, schema]) => {
      try {
        z.fromJSONSchema(standaloneSchema(doc, schema) as never)
        return []
      } catch (e) {
        return [`${pointer}: ${(e as Error).message}`]
      }
    })
    expect(unreadable).toEqual([])
  })

  it("documents v2's authentication: admin session, bearer or secret key; customer session or bearer with the publishable key; the public tiers with the key alone", () => {
    const security = (p: string, m: string) => doc.paths[p][m].security
    expect(security("/admin/loyalty/verify", "get")).toEqual([{ admin_session: [] }, { admin_bearer: [] }, { admin_api_key: [] }])
    expect(security("/store/customers/me/loyalty", "get")).toEqual([
      { customer_session: [], publishable_api_key: [] },
      { customer_bearer: [], publishable_api_key: [] },
    ])
    expect(security("/store/loyalty/tiers", "get")).toEqual([{ publishable_api_key: [] }])
    expect(doc.components.securitySchemes).toMatchObject({
      admin_bearer: { description: expect.stringContaining("POST /auth/user/emailpass") },
      customer_bearer: { description: expect.stringContaining("POST /auth/customer/emailpass") },
      publishable_api_key: { type: "apiKey", in: "header", name: "x-publishable-api-key" },
    })
    expect(Object.keys(doc.paths["/store/loyalty/tiers"].get.responses as object)).not.toContain("401")
  })

  it("is committed as docs/openapi.json exactly as the routes generate it now, and shipped in the package", () => {
    const fresh = JSON.stringify(doc, null, 2) + "\n"
    const file = path.join(V2, "docs", "openapi.json")
    const committed = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""
    if (committed !== fresh) {
      throw new Error("v2/docs/openapi.json is stale (the routes' openapi exports changed): run `npm run openapi` in v2 and commit docs/openapi.json")
    }
    expect(pkg.files).toContain("docs/openapi.json")
  })
})
