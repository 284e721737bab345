import { authenticate, defineMiddlewares, type MedusaNextFunction, type MedusaRequest, type MedusaResponse } from "@medusajs/framework/http"
import { invalidRequestInput, requestInputProblem } from "../core/domain/http/input-guard"
import { RULE_FILES_BODY_LIMIT_BYTES } from "../core/domain/http/rule-files-input"
import { trackCompletion } from "../lib/checkouts-in-flight"
import { sendLoyaltyError } from "../lib/http"

/** Every plugin route lives under one of these prefixes: the input guard covers them all. */
const PLUGIN_ROUTE_PREFIXES = ["/admin/loyalty*", "/store/customers/me/loyalty*", "/store/loyalty*", "/store/carts/:id/loyalty*"]

/**
 * The core's input guard (the same one v1 runs) before every plugin route: a NUL character in the path, a header,
 * the query or the body, a repeated or bracketed query parameter, or a body that is not a JSON object is refused
 * with 400 INVALID_INPUT naming the field before any handler runs, so PostgreSQL never sees it (it refuses U+0000
 * in text: a 500 otherwise). Medusa runs this after its body parser and its admin authentication (an admin
 * request without credentials still gets its 401 first).
 */
function guardInput(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction): void {
  const problem = requestInputProblem({ url: req.originalUrl, headers: req.headers, query: req.query as Record<string, unknown>, body: req.body })
  if (problem) sendLoyaltyError(res, invalidRequestInput(problem))
  else next()
}

export default defineMiddlewares({
  routes: [
    // Bodies that carry whole rule files (Medusa's default JSON limit is 100 kB): the core's one limit on both majors.
    ...["/admin/loyalty/rules/validate", "/admin/loyalty/simulate"].map((matcher) => ({
      matcher,
      method: ["POST" as const],
      bodyParser: { sizeLimit: RULE_FILES_BODY_LIMIT_BYTES },
    })),
    // Completions in flight: the order.placed subscribers let them answer before they start (lib/checkouts-in-flight).
    { matcher: "/store/carts/:id/complete", method: ["POST" as const], middlewares: [trackCompletion] },
    // Medusa authenticates /store/customers/me only: paying with points is a signed-in member's, never a guest's.
    { matcher: "/store/carts/:id/loyalty/points", middlewares: [authenticate("customer", ["session", "bearer"])] },
    // The product earn preview is public; a logged-in customer's session or token makes it their own.
    { matcher: "/store/products/:id/loyalty*", middlewares: [authenticate("customer", ["session", "bearer"], { allowUnauthenticated: true }), guardInput] },
    ...PLUGIN_ROUTE_PREFIXES.map((matcher) => ({ matcher, middlewares: [guardInput] })),
  ],
})
