import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { idempotencyKeyOf, NoQuery, PageQuery, parseInput, RedeemBody } from "../../../../../../core/domain/http/request-input"
import { currentCustomerId, loyaltyOf, route } from "../../../../../../lib/http"
import { serializeRedemption } from "../../../../../../core/domain/http/views"
import { redeemPoints } from "../../../../../../workflows/redemption/redeem"
import { redemptionsDocs } from "../../../../../../core/domain/http/contracts/spending"

/**
 * POST /store/customers/me/loyalty/redemptions { points, region_id | cart_id } + Idempotency-Key → 201 { redemption }
 * (a personal single-use promotion code); the same key and body again → 200 and the first redemption; the same key
 * with another body → 422 IDEMPOTENCY_CONFLICT; not enough points → 400 INSUFFICIENT_POINTS (docs/api.md).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const client_key = idempotencyKeyOf(req)
  const body = parseInput(RedeemBody, req.body, "body")
  const result = await redeemPoints(req.scope, { ...body, customer_id: currentCustomerId(req), client_key })
  res.status(result.replayed ? 200 : 201).json({ redemption: serializeRedemption(result.redemption) })
})

/** GET /store/customers/me/loyalty/redemptions?limit&offset → my redemptions (reserved / settled / voided), newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const page = parseInput(PageQuery, req.query, "query")
  const [redemptions, count] = await loyaltyOf(req).pageRedemptions(currentCustomerId(req), page)
  res.json({ redemptions: redemptions.map(serializeRedemption), count, ...page })
})

export const openapi = redemptionsDocs({ code_kind: "promotion" })
