import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput, ReferralAttachBody } from "../../../../../../core/domain/http/request-input"
import { currentCustomerId, route } from "../../../../../../lib/http"
import { attachReferralCode, referralOf } from "../../../../../../workflows/referrals/referral"
import { AttachedReferral, ReferralCodeView } from "../../../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../../core/domain/http/route-docs"

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

export const openapi: RouteDocs = {
  GET: { summary: "My referral code to share, and the friend's code I attached", query: NoQuery, response: ReferralCodeView },
  POST: {
    summary: "Attach a friend's referral code (once, soon after signing up, before my first order)",
    description: "My first order then earns both of us the `referral` action's points (role \"referrer\" / \"referred\"); canceling that order takes them back.",
    query: NoQuery,
    body: ReferralAttachBody,
    status: 201,
    response: z.strictObject({ attached: AttachedReferral }),
    errors: [
      { status: 400, code: "REFERRAL_CODE_UNKNOWN", when: "no member has this code" },
      { status: 400, code: "REFERRAL_SELF", when: "the code is my own" },
      { status: 400, code: "REFERRAL_ALREADY_ATTACHED", when: "a code is already attached to my account" },
      { status: 400, code: "REFERRAL_NOT_ALLOWED", when: "the window after signing up is over, or I already ordered" },
      Refusals.rulesUnavailable,
    ],
  },
}
