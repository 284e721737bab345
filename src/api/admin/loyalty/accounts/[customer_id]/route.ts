import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { route } from "../../../../_shared/handler"
import { memberSummary } from "../../../../_shared/members"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/**
 * GET /admin/loyalty/accounts/:customer_id → that customer's account with the next points to expire and the next
 * tier, the same shape the member sees at GET /store/customers/me/loyalty (404 for an unknown customer).
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ loyalty_account: await memberSummary(req, req.params.customer_id, new Date()) })
})
