import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { nextTier } from "../../../../../domain/tiers"
import type LoyaltyExpiryService from "../../../../../services/loyalty-expiry"
import type LoyaltyTierService from "../../../../../services/loyalty-tier"
import { route } from "../../../../_shared/handler"
import { currentCustomerId, memberAccount } from "../../../../_shared/members"
import { serializeAccount } from "../../../../_shared/serialize"
import { liveRulebook } from "../../../../_shared/tiers"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/**
 * GET /store/customers/me/loyalty → the logged-in customer's account, their next points to expire and the next tier
 * (`{ code, name, threshold, points_needed }`, null at the top or without tiers).
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const account = await memberAccount(req, currentCustomerId(req))
  const expiry: LoyaltyExpiryService = req.scope.resolve("loyaltyExpiryService")
  const next_expiry = await expiry.nextExpiryFor(account.customer_id, new Date())
  const rulebook = liveRulebook(req)
  const member = rulebook?.tiers ? await req.scope.resolve<LoyaltyTierService>("loyaltyTierService").memberFacts(account.customer_id) : null
  const next = rulebook && member ? nextTier(rulebook, account.tier, member) : null
  const next_tier = next && { code: next.code, name: next.name, threshold: next.threshold?.value ?? null, points_needed: next.points_needed }
  res.json({ loyalty_account: { ...serializeAccount(account, rulebook?.tiers ?? null), next_expiry, next_tier } })
})
