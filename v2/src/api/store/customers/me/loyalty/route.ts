import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { nextTier } from "../../../../../core/domain/program/tiers"
import { serializeAccount } from "../../../../../core/domain/http/views"
import { currentCustomerId, liveRulebookOrNull, loyaltyOf, memberAccount, route } from "../../../../../lib/http"

/**
 * GET /store/customers/me/loyalty → the logged-in customer's account and next tier (the core's serializeAccount,
 * docs/api.md). One SQL statement once the account exists (the account row and its ledger facts, accountFacts). The
 * customer and order facts (3–4 Query reads) are not read: next_tier shows the next tier's code, name and threshold
 * (the rulebook's) and points_needed, which the core's nextTier fills only for a `$.points_*` threshold, i.e. from
 * the ledger figures.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const loyalty = loyaltyOf(req)
  const customer_id = currentCustomerId(req)
  let found = await loyalty.accountFacts(customer_id)
  if (!found) {
    await memberAccount(req, customer_id) // opened on first need (customers from before the install); NOT_FOUND otherwise
    found = (await loyalty.accountFacts(customer_id))!
  }
  const { account, facts } = found
  const rulebook = liveRulebookOrNull(req)
  const next = rulebook?.tiers ? nextTier(rulebook, account.tier, facts) : null
  const next_tier = next && { code: next.code, name: next.name, threshold: next.threshold?.value ?? null, points_needed: next.points_needed }
  // next_expiry: expiry lots are not computed by the v2 adapter yet.
  res.json({ loyalty_account: { ...serializeAccount(account, rulebook?.tiers ?? null), next_expiry: null, next_tier } })
})
