import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { route } from "../../../../_shared/handler"
import { currentCustomerId, memberAccount } from "../../../../_shared/members"
import { serializeAccount } from "../../../../_shared/serialize"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/** GET /store/customers/me/loyalty → the logged-in customer's account. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const account = await memberAccount(req, currentCustomerId(req))
  res.json({ loyalty_account: serializeAccount(account) })
})
