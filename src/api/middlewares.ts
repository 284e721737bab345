import { authenticateCustomer, requireCustomerAuthentication, type MiddlewaresConfig } from "@medusajs/medusa"
import { json } from "express"
import { respreadCartPoints } from "./_shared/cart-points"
import { guardCartCompletion } from "./_shared/completion-guard"
import { loyaltyErrorHandler } from "./_shared/error-handler"
import { BODY_LIMIT_BYTES, guardInput, RULES_VALIDATE_BODY_LIMIT_BYTES } from "./_shared/input-guard"
import { refuseUnusableRedemptionCodes } from "./_shared/redemption-codes"

/** Every plugin route lives under one of these prefixes: the input guard covers them all. */
const PLUGIN_ROUTE_PREFIXES = ["/admin/loyalty*", "/store/customers/me/loyalty*", "/store/loyalty*", "/store/carts/:id/loyalty*"]

/**
 * Medusa's cart routes get the checkout-safety middlewares, and points applied to a cart follow its lines (plugin
 * middlewares run before core routes). Store loyalty routes need a logged-in customer (only /store/me/** gets that
 * from Medusa by default). Every plugin route gets the input guard and an explicit body limit; the rules validator, the backtest and the simulation a larger one
 * (whole rule files). Medusa picks a route's body parser from the FIRST matching entry, so the specific entry comes
 * before the prefixes.
 * `errorHandler` serves this plugin's router only: hostile-input errors become 4xx instead of Medusa's 500.
 */
export const config: MiddlewaresConfig = {
  errorHandler: loyaltyErrorHandler(),
  routes: [
    // Medusa's own cart update (applies discount codes): a loyalty code that is not the requester's, or is used up,
    // is refused before Medusa applies it. Plugin middlewares run before core routes, so the body is parsed here
    // (Medusa's parser then skips it); the customer is looked up only when the body applies a code.
    {
      matcher: "/store/carts/:id",
      method: ["POST"],
      middlewares: [json(), refuseUnusableRedemptionCodes, respreadCartPoints],
    },
    // Medusa's line routes: points applied to the cart follow its lines, in the totals Medusa answers with.
    { matcher: "/store/carts/:id/line-items", method: ["POST"], middlewares: [respreadCartPoints] },
    { matcher: "/store/carts/:id/line-items/:line_id", method: ["POST", "DELETE"], middlewares: [respreadCartPoints] },
    // Medusa's cart completion: the store's completion strategy claims loyalty codes in the order's transaction.
    {
      matcher: "/store/carts/:id/complete",
      method: ["POST"],
      middlewares: [guardCartCompletion],
    },
    {
      matcher: "/store/carts/:id/complete-cart",
      method: ["POST"],
      middlewares: [guardCartCompletion],
    },
    // Store loyalty routes need a logged-in customer (only /store/me/** gets that from Medusa by default).
    {
      matcher: "/store/customers/me/loyalty*",
      middlewares: [requireCustomerAuthentication()],
    },
    // Paying with points in a cart: only a signed-in member (a guest has no points).
    {
      matcher: "/store/carts/:id/loyalty/points",
      middlewares: [requireCustomerAuthentication()],
    },
    // The product earn preview is public; a logged-in customer's session or token makes it their own.
    {
      matcher: "/store/products/:id/loyalty*",
      bodyParser: { sizeLimit: BODY_LIMIT_BYTES },
      middlewares: [authenticateCustomer(), guardInput],
    },
    { method: "POST", matcher: "/admin/loyalty/rules/validate", bodyParser: { sizeLimit: RULES_VALIDATE_BODY_LIMIT_BYTES } },
    { method: "POST", matcher: "/admin/loyalty/rules/backtest", bodyParser: { sizeLimit: RULES_VALIDATE_BODY_LIMIT_BYTES } },
    { method: "POST", matcher: "/admin/loyalty/simulate", bodyParser: { sizeLimit: RULES_VALIDATE_BODY_LIMIT_BYTES } },
    ...PLUGIN_ROUTE_PREFIXES.map((matcher) => ({ matcher, bodyParser: { sizeLimit: BODY_LIMIT_BYTES }, middlewares: [guardInput] })),
  ],
}
