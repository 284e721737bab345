import { requireCustomerAuthentication, type MiddlewaresConfig } from "@medusajs/medusa"

/** Store loyalty routes need a logged-in customer (only /store/me/** gets that from Medusa by default). */
export const config: MiddlewaresConfig = {
  routes: [
    {
      matcher: "/store/customers/me/loyalty*",
      middlewares: [requireCustomerAuthentication()],
    },
  ],
}
