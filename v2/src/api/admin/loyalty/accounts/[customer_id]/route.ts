import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { memberSummaryView } from "../../../../../workflows/members/summary"
import { MemberSummary } from "../../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../core/domain/http/route-docs"

/**
 * GET /admin/loyalty/accounts/:customer_id → that customer's account as the member sees it (next points to expire,
 * next tier; v1's shape); 404 for an unknown customer.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ loyalty_account: await memberSummaryView(req.scope, req.params.customer_id, new Date()) })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "A customer's loyalty account (opened on first need), as the member sees it",
    query: NoQuery,
    response: z.strictObject({ loyalty_account: MemberSummary }),
    errors: [Refusals.notFound("no such customer")],
  },
}
