import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { route } from "../../../../_shared/handler"
import { memberAccount } from "../../../../_shared/members"
import { serializeAccount } from "../../../../_shared/serialize"
import { liveTiers } from "../../../../_shared/tiers"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/** GET /admin/loyalty/accounts/:customer_id → that customer's account (404 for an unknown customer). */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const account = await memberAccount(req, req.params.customer_id)
  res.json({ loyalty_account: serializeAccount(account, liveTiers(req)) })
})
