import { z } from "zod"
import type { ErrorDocs, OperationDocs, RouteAuth, RouteDocs } from "./route-docs"
import { ErrorBody } from "./response-schemas"

/**
 * The OpenAPI 3.1 document of a package's routes, built from what each route file exports: its handlers (the routes
 * that exist) and `openapi: RouteDocs` (the zod schemas the handlers validate with). Pure: each package walks its
 * own route files (v1: src/api/openapi.ts, v2: v2/src/lib/openapi.ts) and hands the modules in, with its Medusa
 * major's authentication (HttpConventions), so the v1 and v2 documents are built by this one copy.
 */

/** Medusa's HTTP_METHODS (1.20 loaders/helpers/routing/types, 2.x framework/http/types): the exports its file router registers as handlers. */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

/** A route file as Medusa's router sees it: its express path, the handlers it exports and its `openapi` export. */
export type DiscoveredRoute = { file: string; path: string; handlers: HttpMethod[]; docs: RouteDocs | undefined }

/** One documented operation: express path (`/admin/loyalty/accounts/:customer_id`), method, its docs. */
export type RouteOperation = { method: HttpMethod; path: string; docs: OperationDocs }

/**
 * Names Medusa's file routers skip while walking src/api (1.20's RoutesLoader excludes, 2.x's `_` segments): a
 * walker that skips them sees exactly the files Medusa loads.
 */
export const EXCLUDED_ROUTE_ENTRIES = [/\.DS_Store/, /(\.ts\.map|\.js\.map|\.d\.ts)/, /^_[^/\\]*(\.[^/\\]+)?$/]

/** Whether `name` is a route file: `route.ts` (sources) or `route.js` (a build). */
export const isRouteFileName = (name: string): boolean => /^route\.(ts|js)$/.test(name)

/**
 * The route a loaded route file declares: the express path of its folders (`[param]` as `:param`, `[...]` a
 * catch-all, as both routers' path builders do), the exports that are handlers, and its `openapi` export.
 */
export function routeOfModule(file: string, folders: string[], mod: Record<string, unknown>): DiscoveredRoute {
  const handlers = HTTP_METHODS.filter((m) => typeof mod[m] === "function")
  const path = "/" + folders.map((s) => (s === "[...]" ? "*" : s.replace(/^\[(\w+)\]$/, ":$1"))).join("/")
  return { file, path, handlers, docs: mod.openapi as RouteDocs | undefined }
}

/** What a route file without docs for `methods` should add, for the message that names it. */
const HOW_TO_DOCUMENT = (methods: readonly string[]) =>
  ` — add \`export const openapi: RouteDocs = { ${methods.map((m) => `${m}: { summary, query, body?, response, errors? }`).join(", ")} }\`` +
  " next to the handlers, built from the zod schemas they validate with (src/domain/http/route-docs.ts, response-schemas.ts)"

/**
 * Handlers without an operation and operations without a handler, one line each naming the route file and what to
 * add; [] when the docs cover exactly the routes that exist.
 */
export function routeDocsProblems(routes: DiscoveredRoute[]): string[] {
  return routes.flatMap((r) => {
    const documented = Object.keys(r.docs ?? {}) as HttpMethod[]
    const undocumented = r.handlers.filter((m) => !r.docs?.[m as keyof RouteDocs])
    const unrouted = documented.filter((m) => !r.handlers.includes(m))
    return [
      ...(r.docs === undefined && r.handlers.length ? [`${r.file}: exports handlers but no \`openapi: RouteDocs\`${HOW_TO_DOCUMENT(r.handlers)}`] : []),
      ...(r.docs !== undefined ? undocumented.map((m) => `${r.file}: ${m} ${r.path} has a handler but no openapi.${m}${HOW_TO_DOCUMENT([m])}`) : []),
      ...unrouted.map((m) => `${r.file}: openapi.${m} documents ${m} ${r.path}, which has no handler`),
    ]
  })
}

/** The operations of `routes`; throws listing every problem of routeDocsProblems, so a gap fails the build. */
export function routeOperations(routes: DiscoveredRoute[]): RouteOperation[] {
  const problems = routeDocsProblems(routes)
  if (problems.length) {
    throw new Error(`The OpenAPI route docs do not match the route handlers:\n  ${problems.join("\n  ")}`)
  }
  return routes.flatMap((r) => r.handlers.map((method) => ({ method, path: r.path, docs: r.docs![method as keyof RouteDocs]! })))
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }
export type OpenApiDocument = JsonObject & { openapi: string; paths: Record<string, Record<string, JsonObject>>; components: JsonObject }

export type OpenApiInfo = { title: string; version: string; description?: string }

/**
 * How a Medusa major authenticates and refuses before any plugin code runs: the security schemes, the requirements
 * by who may call a route, the refusals every route of that auth can answer, and who may call a path by default.
 */
export type HttpConventions = {
  securitySchemes: JsonObject
  security: Record<RouteAuth, JsonObject[]>
  commonErrors: (auth: RouteAuth) => ErrorDocs[]
  authOf: (expressPath: string) => RouteAuth
  /** The 401 response's `content` when it is not a JSON error body (Medusa 1.20's passport answers plain text). */
  unauthorizedContent?: JsonObject
}

const REASON: Record<number, string> = { 200: "OK", 201: "Created", 202: "Accepted", 204: "No Content" }

/** Who may call `expressPath` by Medusa's path conventions: /admin an admin, /store/customers/me a customer, else public. */
export function authByPath(expressPath: string): RouteAuth {
  if (expressPath.startsWith("/admin")) return "admin"
  if (expressPath.startsWith("/store/customers/me") || expressPath.startsWith("/store/me")) return "customer"
  return "public"
}

/**
 * The OpenAPI 3.1 document of `operations`. Pure and deterministic (paths sorted, methods in a fixed order), so a
 * committed document can be compared with a fresh build. Request parts are converted as zod INPUT (what a client
 * sends), responses as OUTPUT (what the route answers). Throws when an operation's path parameters and its `params`
 * schema disagree, or a schema cannot be expressed as JSON Schema.
 */
export function buildOpenApiDocument(operations: RouteOperation[], info: OpenApiInfo, http: HttpConventions): OpenApiDocument {
  const components: Record<string, Json> = {}
  const paths: Record<string, Record<string, JsonObject>> = {}
  const ordered = [...operations].sort((a, b) => byText(a.path, b.path) || HTTP_METHODS.indexOf(a.method) - HTTP_METHODS.indexOf(b.method))
  const tags = new Set<string>()
  for (const op of ordered) {
    const openapiPath = op.path.replace(/:(\w+)/g, "{$1}")
    const operation = buildOperation(op, openapiPath, components, http)
    for (const t of operation.tags as string[]) tags.add(t)
    ;(paths[openapiPath] ??= {})[op.method.toLowerCase()] = operation
  }
  return {
    openapi: "3.1.0",
    info: { ...info } as JsonObject,
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: { schemas: sortKeys(components), securitySchemes: http.securitySchemes },
  }
}

function buildOperation(op: RouteOperation, openapiPath: string, components: Record<string, Json>, http: HttpConventions): JsonObject {
  const d = op.docs
  const auth = d.auth ?? http.authOf(op.path)
  const operation: JsonObject = {
    operationId: operationId(op.method, openapiPath),
    summary: d.summary,
    ...(d.description ? { description: d.description } : {}),
    tags: d.tags ?? [defaultTag(op.path)],
    security: http.security[auth],
    parameters: [
      ...pathParameters(op, openapiPath, components),
      ...parametersOf(d.query, "query", components),
      ...parametersOf(d.headers, "header", components),
    ],
  }
  if (d.body) {
    // Required when an empty body is refused: the parsers hand a route `{}` when none was sent.
    operation.requestBody = {
      required: !d.body.safeParse({}).success,
      content: { "application/json": { schema: jsonSchema(d.body, "input", components) } },
    }
  }
  const success = jsonSchema(d.response, "output", components)
  const responses: JsonObject = {}
  const main = d.status ?? 200
  for (const [status, description] of [[main, REASON[main] ?? "Success"], ...Object.entries(d.alsoStatus ?? {})] as Array<[number | string, string]>) {
    responses[String(status)] = { description, content: { "application/json": { schema: success } } }
  }
  for (const [status, rows] of groupByStatus([...http.commonErrors(auth), ...(d.errors ?? [])])) {
    responses[String(status)] = errorResponse(status, rows, components, http)
  }
  operation.responses = sortKeys(responses)
  return operation
}

function groupByStatus(rows: ErrorDocs[]): Array<[number, ErrorDocs[]]> {
  const groups = new Map<number, ErrorDocs[]>()
  for (const row of rows) groups.set(row.status, [...(groups.get(row.status) ?? []), row])
  return [...groups.entries()].sort((a, b) => a[0] - b[0])
}

function errorResponse(status: number, rows: ErrorDocs[], components: Record<string, Json>, http: HttpConventions): JsonObject {
  const description = rows.map((r) => (r.code ? `\`${r.code}\`: ${r.when}` : r.when)).join("; ")
  if (status === 401 && http.unauthorizedContent) return { description, content: http.unauthorizedContent }
  const plain = jsonSchema(ErrorBody, "output", components)
  const custom = rows.filter((r) => r.body).map((r) => jsonSchema(r.body!, "output", components))
  const schema: Json = custom.length ? { anyOf: [plain, ...custom] } : plain
  return { description, content: { "application/json": { schema } } }
}

/** Path parameters: from `params` when given, else one string per `{name}` of the path; the two must agree. */
function pathParameters(op: RouteOperation, openapiPath: string, components: Record<string, Json>): JsonObject[] {
  const names = [...openapiPath.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
  const declared = op.docs.params ? parametersOf(op.docs.params, "path", components) : names.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } }))
  const got = declared.map((p) => p.name as string)
  if (got.join() !== names.join()) {
    throw new Error(`${op.method} ${op.path}: openapi params [${got.join(", ")}] do not match the path's [${names.join(", ")}]`)
  }
  return declared
}

/** One parameter per property of an object schema (query or headers or path), its description lifted out. */
function parametersOf(schema: z.ZodType | undefined, where: "path" | "query" | "header", components: Record<string, Json>): JsonObject[] {
  if (!schema) return []
  const json = jsonSchema(schema, "input", components) as JsonObject
  if (json.type !== "object") throw new Error(`a ${where} schema must be a zod object, got ${JSON.stringify(json).slice(0, 80)}`)
  const required = new Set((json.required as string[] | undefined) ?? [])
  return Object.entries((json.properties ?? {}) as Record<string, JsonObject>).map(([name, prop]) => {
    const { description, ...rest } = prop
    return { name, in: where, required: where === "path" || required.has(name), ...(description ? { description } : {}), schema: rest }
  })
}

/**
 * A zod schema as a JSON Schema (draft 2020-12) for the document: no `$schema` (the document's jsonSchemaDialect
 * says it), any `$defs` moved to `components.schemas` (a `$ref` to `#/$defs/…` would point at the document root).
 */
function jsonSchema(schema: z.ZodType, io: "input" | "output", components: Record<string, Json>): Json {
  const { $schema: _dialect, $defs, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io }) as JsonObject
  for (const [name, def] of Object.entries(($defs ?? {}) as JsonObject)) {
    const moved = rewriteRefs(def)
    if (components[name] !== undefined && JSON.stringify(components[name]) !== JSON.stringify(moved)) {
      throw new Error(`two different schemas are both named ${name} (zod .meta({ id })); give one another id`)
    }
    components[name] = moved
  }
  return rewriteRefs(rest)
}

function rewriteRefs(value: Json): Json {
  if (Array.isArray(value)) return value.map(rewriteRefs)
  if (value === null || typeof value !== "object") return value
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === "$ref" && typeof v === "string" ? v.replace(/^#\/\$defs\//, "#/components/schemas/") : rewriteRefs(v)])
  )
}

/** `get /admin/loyalty/accounts/{customer_id}/entries` → getAdminLoyaltyAccountsByCustomerIdEntries: unique per method and path. */
export function operationId(method: string, openapiPath: string): string {
  const words = openapiPath
    .split("/")
    .filter(Boolean)
    .flatMap((s) => (s.startsWith("{") ? ["by", ...s.slice(1, -1).split(/[_-]/)] : s.split(/[_-]/)))
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("")
}

/** `admin: accounts` for /admin/loyalty/accounts/…, `store` for /store/…. */
function defaultTag(expressPath: string): string {
  const [area, , section] = expressPath.split("/").filter(Boolean)
  return area === "admin" && section ? `admin: ${section}` : area
}

/** Code-unit order, not the locale's: the document must come out byte-identical on every machine. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Keys in code-unit order (response statuses are all three digits, so "200" < "400" < "413"). */
function sortKeys<T extends Json>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => byText(a, b)))
}

/** Every value in `value` with its JSON pointer. */
function* walkJson(value: Json, pointer = ""): Generator<[string, Json]> {
  yield [pointer, value]
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) yield* walkJson(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`)
  }
}

function resolvePointer(doc: Json, ref: string): Json | undefined {
  if (!ref.startsWith("#/")) return undefined
  let at: Json | undefined = doc
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~")
    at = at && typeof at === "object" && !Array.isArray(at) ? (at as JsonObject)[key] : undefined
  }
  return at
}

/**
 * What is wrong with `doc` as an OpenAPI 3.1 document, structurally, one line each; [] when nothing: unique
 * operationIds, path parameters matching the template, a 2xx JSON response, known security schemes and tags, every
 * `$ref` resolving. Both packages' unit tests run it on their generated document.
 */
export function documentProblems(doc: OpenApiDocument): string[] {
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
      if (!HTTP_METHODS.map((m) => m.toLowerCase()).includes(method)) problems.push(`${where}: not an HTTP method`)
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
  for (const [pointer, value] of walkJson(doc)) {
    if (pointer.endsWith("/$ref") && (typeof value !== "string" || resolvePointer(doc, value) === undefined)) {
      problems.push(`${pointer}: $ref ${JSON.stringify(value)} does not resolve`)
    }
  }
  return problems
}

/** Every schema object of the document (request bodies, parameters, responses, components) with its pointer. */
export function documentSchemas(doc: OpenApiDocument): Array<[string, Json]> {
  return [...walkJson(doc)].filter(
    ([pointer]) => /\/(schema|schemas\/[^/]+)$/.test(pointer) && !pointer.includes("/properties/") && !pointer.startsWith("/components/securitySchemes")
  )
}

/** A schema of `doc` as a standalone JSON Schema (what z.fromJSONSchema reads): its component refs pointed at local $defs. */
export function standaloneSchema(doc: OpenApiDocument, schema: Json): JsonObject {
  const local = (v: Json): Json =>
    Array.isArray(v)
      ? v.map(local)
      : v && typeof v === "object"
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === "$ref" && typeof x === "string" ? x.replace("#/components/schemas/", "#/$defs/") : local(x)]))
        : v
  return { ...(local(schema) as JsonObject), $defs: local((doc.components.schemas ?? {}) as Json) }
}

/**
 * Why `body` (answered with `status` by `method openapiPath`) does not match what `doc` documents, one line each;
 * [] when it does. The documented JSON Schema is read back with z.fromJSONSchema: what a client generated from the
 * document expects. Used by both packages' contract tests on real answers.
 */
export function answerProblems(doc: OpenApiDocument, method: string, openapiPath: string, status: number, body: unknown, text: string): string[] {
  const where = `${method.toUpperCase()} ${openapiPath} → ${status}`
  const op = doc.paths[openapiPath]?.[method.toLowerCase()]
  if (!op) return [`${where}: no such operation in the document`]
  const response = (op.responses as Record<string, { content?: Record<string, { schema: Json }> }>)[String(status)]
  if (!response) return [`${where}: status not documented (${text.slice(0, 200)})`]
  const [mediaType, media] = Object.entries(response.content ?? {})[0] ?? []
  if (!media) return [`${where}: documented without a body`]
  const parsed = z.fromJSONSchema(standaloneSchema(doc, media.schema) as never).safeParse(mediaType === "application/json" ? body : text)
  return parsed.success ? [] : parsed.error.issues.map((i) => `${where}: document: ${i.path.join(".") || "(body)"}: ${i.message}`)
}
