import type { z } from "zod"

/**
 * What a route file says about itself for the OpenAPI document (docs/openapi.json): every `route.ts` under src/api
 * exports `openapi: RouteDocs` next to its handlers, built from the SAME zod schemas the handler validates with, so
 * the document cannot drift from the code. Medusa's file router ignores exports that are not functions.
 */
export type OperationDocs = {
  /** One line, shown as the operation's title. */
  summary: string
  description?: string
  /** Path parameters (e.g. `{ customer_id }`), query, headers and body: the schemas passed to parseInput. */
  params?: z.ZodType
  query?: z.ZodType
  headers?: z.ZodType
  body?: z.ZodType
  /** The success body; a test checks real responses against it. */
  response: z.ZodType
  /** Success status (default 200). */
  status?: number
}

export type RouteDocs = Partial<Record<"GET" | "POST" | "PUT" | "DELETE", OperationDocs>>
