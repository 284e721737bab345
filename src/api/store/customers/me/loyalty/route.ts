import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import { nextTier } from "../../../../../domain/tiers"
import type LoyaltyMemberService from "../../../../../services/loyalty-member"
import { route } from "../../../../_shared/handler"
import { currentCustomerId, memberAccount } from "../../../../_shared/members"
import { serializeAccount } from "../../../../_shared/serialize"
import { Account, IsoDateTime } from "../../../../_shared/response-schemas"
import type { RouteDocs } from "../../../../_shared/route-docs"
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

const MyAccount = z.strictObject({
  ...Account.shape,
  next_expiry: z.strictObject({ points: z.number().int(), expires_at: IsoDateTime }).nullable().meta({ description: "the oldest lot still unspent; null when points never expire or none are left" }),
  next_tier: z
    .strictObject({
      code: z.string(),
      name: z.string(),
      threshold: z.number().int().nullable(),
      points_needed: z.number().int().nullable().meta({ description: "null when the threshold is not on points" }),
    })
    .nullable()
    .meta({ description: "null at the top of the ladder or without tiers" }),
})

export const openapi: RouteDocs = {
  GET: { summary: "My loyalty account, my next points to expire and my next tier", query: NoQuery, response: z.strictObject({ loyalty_account: MyAccount }) },
}
