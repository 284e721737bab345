import { authenticateCustomer, requireCustomerAuthentication, type MiddlewaresConfig } from "@medusajs/medusa"
import { json } from "express"
import { guardCartCompletion } from "./_shared/completion-guard"
import { refuseUnusableRedemptionCodes } from "./_shared/redemption-codes"

export const config: MiddlewaresConfig = {
  routes: [
    // Medusa's own cart update (applies discount codes): a loyalty code that is not the requester's, or is used up,
    // is refused before Medusa applies it. Plugin middlewares run before core routes, so the body is parsed here
    // (Medusa's parser then skips it) and the customer attached as Medusa's store router would.
    {
      matcher: "/store/carts/:id",
      method: ["POST"],
      middlewares: [json(), authenticateCustomer(), refuseUnusableRedemptionCodes],
    },
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
  ],
}
