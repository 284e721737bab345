import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { serializeAccount } from "../../../../../core/domain/http/views"
import { liveTiers, route } from "../../../../../lib/http"
import { memberAccount } from "../../../../../workflows/members/member-account"
import { Account } from "../../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../core/domain/http/route-docs"

/** GET /admin/loyalty/accounts/:customer_id → that customer's account (404 for an unknown customer). */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const account = await memberAccount(req.scope, req.params.customer_id)
  res.json({ loyalty_account: serializeAccount(account, liveTiers(req)) })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "A customer's loyalty account (opened on first need)",
    query: NoQuery,
    response: z.strictObject({ loyalty_account: Account }),
    errors: [Refusals.notFound("no such customer")],
  },
}
