import { requireCustomerAuthentication, type MiddlewaresConfig } from "@medusajs/medusa"
import { loyaltyErrorHandler } from "./_shared/error-handler"
import { BODY_LIMIT_BYTES, guardInput, RULES_VALIDATE_BODY_LIMIT_BYTES } from "./_shared/input-guard"

/** Every plugin route lives under one of these prefixes: the input guard covers them all. */
const PLUGIN_ROUTE_PREFIXES = ["/admin/loyalty*", "/store/customers/me/loyalty*", "/store/loyalty*"]

/**
 * Store loyalty routes need a logged-in customer (only /store/me/** gets that from Medusa by default). Every plugin
 * route gets the input guard and an explicit body limit; the rules validator a larger one (whole rule files). Medusa
 * picks a route's body parser from the FIRST matching entry, so the specific entry comes before the prefixes.
 * `errorHandler` serves this plugin's router only: hostile-input errors become 4xx instead of Medusa's 500.
 */
export const config: MiddlewaresConfig = {
  errorHandler: loyaltyErrorHandler(),
  routes: [
    {
      matcher: "/store/customers/me/loyalty*",
      middlewares: [requireCustomerAuthentication()],
    },
    { method: "POST", matcher: "/admin/loyalty/rules/validate", bodyParser: { sizeLimit: RULES_VALIDATE_BODY_LIMIT_BYTES } },
    ...PLUGIN_ROUTE_PREFIXES.map((matcher) => ({ matcher, bodyParser: { sizeLimit: BODY_LIMIT_BYTES }, middlewares: [guardInput] })),
  ],
}
