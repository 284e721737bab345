import type { z } from "zod"

/**
 * What a route file says about itself for the OpenAPI document (docs/openapi.json for v1, v2/docs/openapi.json for
 * v2): every `route.ts` under src/api (and v2/src/api) exports `openapi: RouteDocs` next to its handlers, built from
 * the SAME zod schemas the handler validates with, so the document cannot drift from the code. A route both majors
 * serve takes its RouteDocs from contracts/<area>.ts (one text; a major passes only what is its own: a v1 discount
 * or a v2 promotion, a refusal's wording), so neither document can lack what the other says. Medusa's file router
 * (1.20 and 2.x) ignores exports that are not functions. openapi-document.ts turns these into the document; each
 * package's unit test fails when a handler has no operation (or an operation no handler), its contract test when a
 * real answer does not match `response`.
 */
export type OperationDocs = {
  /** One line, shown as the operation's title. */
  summary: string
  description?: string
  /** Default: derived from the path (`admin: accounts`, `store`). */
  tags?: string[]
  /**
   * Who may call it. Default: from the path, as Medusa (and v1's src/api/middlewares.ts) decide it: /admin/** admin,
   * /store/customers/me/** a logged-in customer, other /store/** public.
   */
  auth?: RouteAuth
  /** Path parameters (e.g. `{ customer_id }`), query, headers and body: the schemas passed to parseInput. */
  params?: z.ZodType
  query?: z.ZodType
  headers?: z.ZodType
  body?: z.ZodType
  /** The success body; a test checks real responses against it. Use strict objects: an undocumented key fails. */
  response: z.ZodType
  /** Success status (default 200). */
  status?: number
  /** Other success statuses answered with the same body, and when (e.g. 200 for an idempotent replay of a 201). */
  alsoStatus?: Record<number, string>
  /**
   * Refusals this operation can answer beyond the ones every plugin route has (400 INVALID_INPUT, 413
   * PAYLOAD_TOO_LARGE, 401 when authenticated): one row per code, grouped by status in the document.
   */
  errors?: ErrorDocs[]
}

export type RouteAuth = "admin" | "customer" | "public"

/** One refusal: its HTTP status, the `code` of the error body on the wire, when it happens, and its body if not the plain error body. */
export type ErrorDocs = { status: number; code: string; when: string; body?: z.ZodType }

export type RouteDocs = Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", OperationDocs>>

/** Refusals several routes share, worded once (the statuses follow errors.ts's one table). */
export const Refusals = {
  notFound: (when: string): ErrorDocs => ({ status: 404, code: "NOT_FOUND", when }),
  /** Answered by the plugin's error handler with its code kept (Medusa's own would replace it). */
  idempotencyConflict: {
    status: 422,
    code: "IDEMPOTENCY_CONFLICT",
    when: "the Idempotency-Key was already used with a different body",
  } as ErrorDocs,
  insufficientPoints: (when: string): ErrorDocs => ({ status: 400, code: "INSUFFICIENT_POINTS", when }),
  rulesUnavailable: { status: 500, code: "RULES_UNAVAILABLE", when: "no valid rulebook could be loaded (the message locates every issue)" } as ErrorDocs,
}
