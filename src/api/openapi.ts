import fs from "fs"
import path from "path"
import {
  authByPath,
  buildOpenApiDocument,
  byText,
  EXCLUDED_ROUTE_ENTRIES,
  isRouteFileName,
  routeOfModule,
  routeOperations,
  type DiscoveredRoute,
  type HttpConventions,
  type OpenApiDocument,
  type OpenApiInfo,
  type RouteOperation,
} from "../domain/http/openapi-document"
import type { RouteAuth } from "./_shared/route-docs"

/**
 * The v1 plugin's OpenAPI 3.1 document: the core's builder (domain/http/openapi-document.ts) over the route files
 * under src/api (dist/api after the build), with Medusa 1.20's authentication. scripts/openapi.mjs writes it to
 * dist/openapi.json and docs/openapi.json at build time; tests/unit/openapi.test.ts checks both halves agree.
 * Not a route file: Medusa's file router loads only files named `route.*` (and `middlewares.*`).
 */

export {
  HTTP_METHODS,
  operationId,
  routeDocsProblems,
  routeOperations,
  type DiscoveredRoute,
  type HttpMethod,
  type OpenApiDocument,
  type OpenApiInfo,
  type RouteOperation,
} from "../domain/http/openapi-document"

/**
 * Every route file under `apiDir` (src/api with ts-jest, dist/api after the build), loaded, as Medusa's file router
 * finds them: `route.ts` or `route.js` in any folder not starting with `_`, `[param]` folders as `:param`. Sorted by
 * path. Walking the files (not a list) is what makes a new route impossible to leave out of the document.
 */
export function discoverRoutes(apiDir: string): DiscoveredRoute[] {
  const routes: DiscoveredRoute[] = []
  const walk = (dir: string, segments: string[]) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => byText(a.name, b.name))) {
      if (EXCLUDED_ROUTE_ENTRIES.some((re) => re.test(entry.name))) continue
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        walk(full, [...segments, entry.name])
      } else if (isRouteFileName(entry.name)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        routes.push(routeOfModule(path.relative(apiDir, full), segments, require(full) as Record<string, unknown>))
      }
    }
  }
  walk(apiDir, [])
  return routes.sort((a, b) => byText(a.path, b.path))
}

/**
 * Medusa 1.20's authentication (loaders/passport): a session cookie (express-session's default name), a JWT from
 * the auth/token routes as a bearer token, or, for admins, a user's API token in `x-medusa-access-token`; the
 * refusals every plugin route can answer (src/api/middlewares.ts: input guard, body limits, authentication).
 */
export const V1_HTTP: HttpConventions = {
  securitySchemes: {
    admin_session: { type: "apiKey", in: "cookie", name: "connect.sid", description: "Admin session cookie from POST /admin/auth." },
    admin_bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "Admin JWT from POST /admin/auth/token." },
    admin_api_token: { type: "apiKey", in: "header", name: "x-medusa-access-token", description: "An admin user's API token." },
    customer_session: { type: "apiKey", in: "cookie", name: "connect.sid", description: "Customer session cookie from POST /store/auth." },
    customer_bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "Customer JWT from POST /store/auth/token." },
  },
  security: {
    admin: [{ admin_session: [] }, { admin_bearer: [] }, { admin_api_token: [] }],
    customer: [{ customer_session: [] }, { customer_bearer: [] }],
    public: [],
  },
  commonErrors: (auth: RouteAuth) => [
    {
      status: 400,
      code: "INVALID_INPUT",
      when: "a malformed request: a body that is not a JSON object, a NUL character, a repeated, nested or unknown query parameter, a field out of range (the message names each field)",
    },
    { status: 413, code: "PAYLOAD_TOO_LARGE", when: "a body over the route's limit" },
    ...(auth === "public" ? [] : [{ status: 401, code: "", when: "no or invalid authentication (Medusa answers a plain-text `Unauthorized`)" }]),
  ],
  authOf: authByPath,
  // passport answers 401 before any plugin code runs: a bare text body, not the error JSON.
  unauthorizedContent: { "text/plain": { schema: { type: "string", const: "Unauthorized" } } },
}

/** Who may call `expressPath` when its docs do not say: Medusa's /admin default, the plugin's /store/customers/me guard. */
export const authOf = authByPath

/** The OpenAPI 3.1 document of `operations` with Medusa 1.20's authentication (the core's buildOpenApiDocument). */
export function buildOpenApi(operations: RouteOperation[], info: OpenApiInfo): OpenApiDocument {
  return buildOpenApiDocument(operations, info, V1_HTTP)
}

/**
 * The document of every route file under `apiDir`, titled after the package: what scripts/openapi.mjs writes and
 * what the unit test compares docs/openapi.json with. Throws when a handler has no operation or vice versa.
 */
export function generateOpenApi(apiDir: string, pkg: { name: string; version: string }): OpenApiDocument {
  return buildOpenApi(routeOperations(discoverRoutes(apiDir)), {
    title: pkg.name,
    version: pkg.version,
    description:
      "The admin and store routes of the loyalty plugin for Medusa 1.20, generated from the zod schemas the routes " +
      "validate with (each src/api/**/route.ts exports `openapi`). Do not edit: run `npm run openapi`.",
  })
}
