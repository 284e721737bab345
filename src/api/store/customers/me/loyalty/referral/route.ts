import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyReferralService from "../../../../../../services/loyalty-referral"
import { route } from "../../../../../_shared/handler"
import { currentCustomerId, memberAccount } from "../../../../../_shared/members"
import { AttachedReferral, ReferralCodeView } from "../../../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../../_shared/validate"
import { ReferralAttachBody } from "../../../../../../domain/http/request-input"

const AttachBody = ReferralAttachBody

const Attached = AttachedReferral
const CodeResponse = ReferralCodeView

/** GET /store/customers/me/loyalty/referral → { code, attached }: my code to share, and the friend's code I attached. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const customer_id = currentCustomerId(req)
  await memberAccount(req, customer_id)
  const service = req.scope.resolve<LoyaltyReferralService>("loyaltyReferralService")
  const code = await service.codeOf(customer_id)
  const attached = await service.attachedOf(customer_id)
  res.json({ code, attached: attached && { code: attached.code, attached_at: new Date(attached.attached_at).toISOString() } })
})

/**
 * POST /store/customers/me/loyalty/referral { code } → 201 { attached }: a new member attaches a friend's code, once,
 * within the program's `referral.attach_within_days` of signing up and before a first order.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { code } = parseInput(AttachBody, req.body, "body")
  const customer_id = currentCustomerId(req)
  await memberAccount(req, customer_id)
  const attached = await req.scope.resolve<LoyaltyReferralService>("loyaltyReferralService").attach(customer_id, code, new Date())
  res.status(201).json({ attached: { code: attached.code, attached_at: new Date(attached.attached_at).toISOString() } })
})

export const openapi: RouteDocs = {
  GET: { summary: "My referral code to share, and the friend's code I attached", query: NoQuery, response: CodeResponse },
  POST: {
    summary: "Attach a friend's referral code (once, soon after signing up, before my first order)",
    description: "My first order then earns both of us the `referral` action's points (role \"referrer\" / \"referred\"); canceling that order takes them back.",
    query: NoQuery,
    body: AttachBody,
    status: 201,
    response: z.strictObject({ attached: Attached }),
    errors: [
      { status: 400, code: "REFERRAL_CODE_UNKNOWN", when: "no member has this code" },
      { status: 400, code: "REFERRAL_SELF", when: "the code is my own" },
      { status: 400, code: "REFERRAL_ALREADY_ATTACHED", when: "a code is already attached to my account" },
      { status: 400, code: "REFERRAL_NOT_ALLOWED", when: "the window after signing up is over, or I already ordered" },
      Refusals.rulesUnavailable,
    ],
  },
}
