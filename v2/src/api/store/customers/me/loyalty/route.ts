import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../../core/domain/request-input"
import { nextTier } from "../../../../../core/domain/tiers"
import { serializeAccount } from "../../../../../core/domain/views"
import { currentCustomerId, liveTiers, loyaltyOf, memberAccount, route } from "../../../../../lib/http"
import { memberFactsOf } from "../../../../../lib/member-facts"

/** GET /store/customers/me/loyalty → the logged-in customer's account and next tier (v1's shape). */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const account = await memberAccount(req, currentCustomerId(req))
  const tiers = liveTiers(req)
  let next_tier = null
  if (tiers) {
    const next = nextTier(loyaltyOf(req).getRulebook(), account.tier, await memberFactsOf(req.scope, account))
    next_tier = next && { code: next.code, name: next.name, threshold: next.threshold?.value ?? null, points_needed: next.points_needed }
  }
  // next_expiry: expiry lots are not computed by the v2 adapter yet (issue [9] part 2).
  res.json({ loyalty_account: { ...serializeAccount(account, tiers), next_expiry: null, next_tier } })
})
