import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyExpiryService from "../../../../../services/loyalty-expiry"
import { route } from "../../../../_shared/handler"
import { currentCustomerId, memberAccount } from "../../../../_shared/members"
import { serializeAccount } from "../../../../_shared/serialize"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/** GET /store/customers/me/loyalty → the logged-in customer's account and their next points to expire. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const account = await memberAccount(req, currentCustomerId(req))
  const expiry: LoyaltyExpiryService = req.scope.resolve("loyaltyExpiryService")
  const next_expiry = await expiry.nextExpiryFor(account.customer_id, new Date())
  res.json({ loyalty_account: { ...serializeAccount(account), next_expiry } })
})
