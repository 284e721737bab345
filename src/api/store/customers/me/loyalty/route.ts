import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { nextTier } from "../../../../../domain/tiers"
import type LoyaltyMemberService from "../../../../../services/loyalty-member"
import { route } from "../../../../_shared/handler"
import { currentCustomerId, memberAccount } from "../../../../_shared/members"
import { serializeAccount } from "../../../../_shared/serialize"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/**
 * GET /store/customers/me/loyalty → the logged-in customer's account, their next points to expire and the next tier
 * (`{ code, name, threshold, points_needed }`, null at the top or without tiers). One query once the account exists.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const customer_id = currentCustomerId(req)
  const members: LoyaltyMemberService = req.scope.resolve("loyaltyMemberService")
  const now = new Date()
  let summary = await members.summary(customer_id, now)
  if (!summary) {
    await memberAccount(req, customer_id) // opened on first need (customers from before the install)
    summary = (await members.summary(customer_id, now))!
  }
  const { account, member, next_expiry, rulebook } = summary
  const next = rulebook && member ? nextTier(rulebook, account.tier, member) : null
  const next_tier = next && { code: next.code, name: next.name, threshold: next.threshold?.value ?? null, points_needed: next.points_needed }
  res.json({ loyalty_account: { ...serializeAccount(account, rulebook?.tiers ?? null), next_expiry, next_tier } })
})
