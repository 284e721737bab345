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
} from "../core/domain/http/openapi-document"
import { MedusaUnauthorized } from "../core/domain/http/response-schemas"
import type { RouteAuth } from "../core/domain/http/route-docs"

/**
 * The v2 plugin's OpenAPI 3.1 document: the core's builder (the same one v1's docs/openapi.json comes from) over the
 * route files under src/api (or .medusa/server/src/api after the build), with Medusa 2's authentication.
 * scripts/openapi.mjs writes docs/openapi.json at build time; src/lib/__tests__/openapi.unit.spec.ts checks the
 * committed file is current, integration-tests/http/openapi.spec.ts that a real app answers as it says.
 * Not a route file: Medusa's file router loads only files named `route.*` (and `middlewares.*`).
 */

/**
 * Every route file under `apiDir`, loaded, as Medusa 2's router finds them: `route.ts` or `route.js` in any folder
 * not starting with `_`, `[param]` folders as `:param`. Sorted by path. Walking the files (not a list) is what makes
 * a new route impossible to leave out of the document.
 */
export function discoverRoutes(apiDir: string): DiscoveredRoute[] {
  const routes: DiscoveredRoute[] = []
  const walk = (dir: string, folders: string[]) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => byText(a.name, b.name))) {
      if (EXCLUDED_ROUTE_ENTRIES.some((re) => re.test(entry.name))) continue
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full, [...folders, entry.name])
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      else if (isRouteFileName(entry.name)) routes.push(routeOfModule(path.relative(apiDir, full), folders, require(full)))
    }
  }
  walk(apiDir, [])
  return routes.sort((a, b) => byText(a.path, b.path))
}

/**
 * Medusa 2's authentication: admin routes take a session cookie (POST /auth/session with the token of
 * POST /auth/user/emailpass), that token as a bearer token, or a secret API key (HTTP Basic); customer routes a
 * session or the token of POST /auth/customer/emailpass; every /store route a publishable API key
 * (`x-publishable-api-key`, Medusa answers 400 not_allowed without one). Medusa refuses an unauthenticated call
 * with 401 `{ message }` before any plugin code runs.
 */
export const V2_HTTP: HttpConventions = {
  securitySchemes: {
    admin_session: { type: "apiKey", in: "cookie", name: "connect.sid", description: "Admin session cookie from POST /auth/session (with the token of POST /auth/user/emailpass)." },
    admin_bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "Admin JWT from POST /auth/user/emailpass." },
    admin_api_key: { type: "http", scheme: "basic", description: "A secret API key (sk_…) as the Basic auth user name, empty password." },
    customer_session: { type: "apiKey", in: "cookie", name: "connect.sid", description: "Customer session cookie from POST /auth/session (with the token of POST /auth/customer/emailpass)." },
    customer_bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "Customer JWT from POST /auth/customer/emailpass." },
    publishable_api_key: { type: "apiKey", in: "header", name: "x-publishable-api-key", description: "A publishable API key of the store's sales channel: required on every /store route." },
  },
  security: {
    admin: [{ admin_session: [] }, { admin_bearer: [] }, { admin_api_key: [] }],
    customer: [
      { customer_session: [], publishable_api_key: [] },
      { customer_bearer: [], publishable_api_key: [] },
    ],
    public: [{ publishable_api_key: [] }],
  },
  commonErrors: (auth: RouteAuth) => [
    {
      status: 400,
      code: "INVALID_INPUT",
      when: "a malformed request: a body that is not a JSON object, a NUL character, a repeated, nested or unknown query parameter, a field out of range (the message names each field)",
    },
    ...(auth === "admin" ? [] : [{ status: 400, code: "", when: "no or an unknown `x-publishable-api-key` (Medusa's not_allowed, without a code)" }]),
    { status: 413, code: "", when: "a body over Medusa's JSON body limit (Medusa's body parser: `type` and `message`, without a code)" },
    ...(auth === "public" ? [] : [{ status: 401, code: "", when: "no or invalid authentication (Medusa answers `{ message }`)", body: MedusaUnauthorized }]),
  ],
  authOf: authByPath,
}

/**
 * The document of every route file under `apiDir`, titled after the package: what scripts/openapi.mjs writes and
 * what the unit test compares docs/openapi.json with. Throws naming each route file whose handlers and docs differ.
 */
export function generateOpenApi(apiDir: string, pkg: { name: string; version: string }): OpenApiDocument {
  return buildOpenApiDocument(
    routeOperations(discoverRoutes(apiDir)),
    {
      title: pkg.name,
      version: pkg.version,
      description:
        "The admin and store routes of the loyalty plugin for Medusa 2, generated from the zod schemas the routes " +
        "validate with (each src/api/**/route.ts exports `openapi`). Do not edit: run `npm run openapi`.",
    },
    V2_HTTP
  )
}
