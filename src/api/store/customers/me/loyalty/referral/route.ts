import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyReferralService from "../../../../../../services/loyalty-referral"
import { route } from "../../../../../_shared/handler"
import { currentCustomerId, memberAccount } from "../../../../../_shared/members"
import { referralDocs } from "../../../../../../domain/http/contracts/referral"
import { NoQuery, parseInput } from "../../../../../_shared/validate"
import { ReferralAttachBody } from "../../../../../../domain/http/request-input"

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
  const { code } = parseInput(ReferralAttachBody, req.body, "body")
  const customer_id = currentCustomerId(req)
  await memberAccount(req, customer_id)
  const attached = await req.scope.resolve<LoyaltyReferralService>("loyaltyReferralService").attach(customer_id, code, new Date())
  res.status(201).json({ attached: { code: attached.code, attached_at: new Date(attached.attached_at).toISOString() } })
})

export const openapi = referralDocs
