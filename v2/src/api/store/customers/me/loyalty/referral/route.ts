import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput, ReferralAttachBody } from "../../../../../../core/domain/http/request-input"
import { currentCustomerId, route } from "../../../../../../lib/http"
import { attachReferralCode, referralOf } from "../../../../../../workflows/referrals/referral"
import { referralDocs } from "../../../../../../core/domain/http/contracts/referral"

/** GET /store/customers/me/loyalty/referral → { code, attached }: my code to share, and the friend's code I attached (docs/api.md). */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(await referralOf(req.scope, currentCustomerId(req)))
})

/**
 * POST /store/customers/me/loyalty/referral { code } → 201 { attached }: a friend's code, once, within the program's
 * `referral.attach_within_days` of signing up and before a first order; refusals are 400s with the core's codes
 * (REFERRAL_ALREADY_ATTACHED, REFERRAL_CODE_UNKNOWN, REFERRAL_SELF, REFERRAL_NOT_ALLOWED).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { code } = parseInput(ReferralAttachBody, req.body, "body")
  res.status(201).json({ attached: await attachReferralCode(req.scope, currentCustomerId(req), code, new Date()) })
})

export const openapi = referralDocs
