import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyRedemptionService from "../../../../../../services/loyalty-redemption"
import { route } from "../../../../../_shared/handler"
import { currentCustomerId } from "../../../../../_shared/members"
import { redemptionsDocs } from "../../../../../../domain/http/contracts/spending"
import { serializeRedemption } from "../../../../../_shared/serialize"
import { idempotencyKeyOf, NoQuery, PageQuery, parseInput, RedeemBody } from "../../../../../_shared/validate"

/** POST /store/customers/me/loyalty/redemptions (Idempotency-Key header required) → points exchanged for a code. */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const client_key = idempotencyKeyOf(req)
  const body = parseInput(RedeemBody, req.body, "body")
  const service: LoyaltyRedemptionService = req.scope.resolve("loyaltyRedemptionService")
  const { redemption, replayed } = await service.redeem({ ...body, customer_id: currentCustomerId(req), client_key })
  res.status(replayed ? 200 : 201).json({ redemption: serializeRedemption(redemption) })
})

/** GET /store/customers/me/loyalty/redemptions?limit&offset → my redemptions, newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const page = parseInput(PageQuery, req.query, "query")
  const service: LoyaltyRedemptionService = req.scope.resolve("loyaltyRedemptionService")
  const [redemptions, count] = await service.listForCustomer(currentCustomerId(req), page)
  res.json({ redemptions: redemptions.map(serializeRedemption), count, ...page })
})

export const openapi = redemptionsDocs({ code_kind: "discount", worth_at_most: "Medusa's largest discount" })
