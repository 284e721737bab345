import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { serializeAccount } from "../../../../../core/domain/http/views"
import { currentCustomerId, route } from "../../../../../lib/http"
import { memberSummary } from "../../../../../workflows/members/summary"
import { MemberSummary } from "../../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../../core/domain/http/route-docs"

/**
 * GET /store/customers/me/loyalty → the logged-in customer's account and next tier (the core's serializeAccount,
 * docs/api.md); one SQL statement once the account exists (memberSummary).
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { account, tiers, next_tier } = await memberSummary(req.scope, currentCustomerId(req))
  // next_expiry: expiry lots are not computed by the v2 adapter yet.
  res.json({ loyalty_account: { ...serializeAccount(account, tiers), next_expiry: null, next_tier } })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "My loyalty account and my next tier",
    description: "`next_expiry` is always null: v2 does not compute expiry lots yet.",
    query: NoQuery,
    response: z.strictObject({ loyalty_account: MemberSummary }),
  },
}
