import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyRedemptionService from "../../../../../../services/loyalty-redemption"
import { route } from "../../../../../_shared/handler"
import { currentCustomerId } from "../../../../../_shared/members"
import { listPage, Redemption } from "../../../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../_shared/route-docs"
import { serializeRedemption } from "../../../../../_shared/serialize"
import { IdempotencyHeaders, idempotencyKeyOf, NoQuery, PageQuery, parseInput, RedeemBody } from "../../../../../_shared/validate"

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

export const openapi: RouteDocs = {
  POST: {
    summary: "Exchange points for a single-use discount code (for a region, or applied to my cart)",
    description: "Idempotent by Idempotency-Key: the same key and body answer the first redemption again (200).",
    query: NoQuery,
    headers: IdempotencyHeaders,
    body: RedeemBody,
    response: z.strictObject({ redemption: Redemption }),
    status: 201,
    alsoStatus: { 200: "A replay of the same Idempotency-Key and body: the first redemption" },
    errors: [
      Refusals.insufficientPoints("fewer points available than requested"),
      { status: 400, code: "INVALID_INPUT", when: "points the program does not allow (minimum, step), worth less than one minor unit or more than Medusa's largest discount; a completed cart" },
      Refusals.notFound("no such region, or no such cart of mine"),
      Refusals.idempotencyConflict,
      Refusals.rulesUnavailable,
    ],
  },
  GET: { summary: "My redemptions, newest first", query: PageQuery, response: listPage("redemptions", Redemption) },
}
