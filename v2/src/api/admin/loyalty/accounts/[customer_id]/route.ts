import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { serializeAccount } from "../../../../../core/domain/http/views"
import { liveTiers, route } from "../../../../../lib/http"
import { memberAccount } from "../../../../../workflows/members/member-account"

/** GET /admin/loyalty/accounts/:customer_id → that customer's account (404 for an unknown customer). */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const account = await memberAccount(req.scope, req.params.customer_id)
  res.json({ loyalty_account: serializeAccount(account, liveTiers(req)) })
})
