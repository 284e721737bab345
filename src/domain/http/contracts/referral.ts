/**
 * The OpenAPI contract of a member's referral (store/customers/me/loyalty/referral), one text for both majors: each
 * major's route file exports it as its `openapi`.
 */
import { z } from "zod"
import { NoQuery, ReferralAttachBody } from "../request-input"
import { AttachedReferral, ReferralCodeView } from "../response-schemas"
import { Refusals, type RouteDocs } from "../route-docs"

/** GET and POST /store/customers/me/loyalty/referral. */
export const referralDocs: RouteDocs = {
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
