import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { serializeAccount } from "../../../../../core/domain/http/views"
import { currentCustomerId, loyaltyOf, route } from "../../../../../lib/http"
import { liveRulebookOrNull } from "../../../../../lib/container"
import { memberSummary } from "../../../../../workflows/members/summary"
import { MemberSummary } from "../../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../../core/domain/http/route-docs"

/**
 * GET /store/customers/me/loyalty → the logged-in customer's account and next tier (the core's serializeAccount,
 * docs/api.md); one SQL statement once the account exists (memberSummary), and the account's movements for
 * next_expiry (the oldest unspent points and their date, FIFO as the expire job).
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { account, tiers, next_tier } = await memberSummary(req.scope, currentCustomerId(req))
  const after_months = liveRulebookOrNull(req.scope)?.program.expiry?.after_months ?? null
  const next_expiry = await loyaltyOf(req).nextExpiryOf(account.customer_id, new Date(), after_months)
  res.json({ loyalty_account: { ...serializeAccount(account, tiers), next_expiry, next_tier } })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "My loyalty account and my next tier",
    description: "`next_expiry`: the next points to expire and when (FIFO), null when none will.",
    query: NoQuery,
    response: z.strictObject({ loyalty_account: MemberSummary }),
  },
}
