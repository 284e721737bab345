import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { currentCustomerId, route } from "../../../../../lib/http"
import { memberSummaryView } from "../../../../../workflows/members/summary"
import { MemberSummary } from "../../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../../core/domain/http/route-docs"

/**
 * GET /store/customers/me/loyalty → the logged-in customer's account, next points to expire and next tier (the
 * admin's view of the account too, docs/api.md): one SQL statement once the account exists (memberSummary), and the
 * account's movements for next_expiry.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ loyalty_account: await memberSummaryView(req.scope, currentCustomerId(req), new Date()) })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "My loyalty account and my next tier",
    description: "`next_expiry`: the next points to expire and when (FIFO), null when none will.",
    query: NoQuery,
    response: z.strictObject({ loyalty_account: MemberSummary }),
  },
}
