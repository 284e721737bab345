import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import { route } from "../../../../_shared/handler"
import { memberSummary } from "../../../../_shared/members"
import { MemberSummary } from "../../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/**
 * GET /admin/loyalty/accounts/:customer_id → that customer's account with the next points to expire and the next
 * tier, the same shape the member sees at GET /store/customers/me/loyalty (404 for an unknown customer).
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ loyalty_account: await memberSummary(req, req.params.customer_id, new Date()) })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "A customer's loyalty account with next expiry and next tier (opened on first need)",
    query: NoQuery,
    response: z.strictObject({ loyalty_account: MemberSummary }),
    errors: [Refusals.notFound("no such customer")],
  },
}
