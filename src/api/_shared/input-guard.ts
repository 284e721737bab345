import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { invalidRequestInput, requestInputProblem } from "../../domain/http/input-guard"

/** Body size limit of every plugin route: Medusa's own default for file routes (body-parser's "100kb"), stated once. */
export const BODY_LIMIT_BYTES = 100 * 1024

/**
 * Body size limit of POST /admin/loyalty/rules/validate, whose body carries whole rule files. The parser refuses a
 * larger body (413) and the route refuses files whose contents total more (400): the contents are strings inside
 * that body, so the route's limit can never let through more than the parser does.
 */
export const RULES_VALIDATE_BODY_LIMIT_BYTES = 1_000_000

/**
 * One guard in front of every plugin route (src/api/middlewares.ts): the core's requestInputProblem (NUL characters
 * anywhere, repeated or bracketed query parameters, a body that is not a JSON object; the v2 plugin runs the same
 * one). Refusals are INVALID_INPUT (400) naming the field, raised before any handler runs, so nothing is written.
 */
export function guardInput(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction): void {
  const problem = requestInputProblem({ url: req.originalUrl, headers: req.headers, query: req.query, body: req.body })
  next(problem ? invalidRequestInput(problem) : undefined)
}
