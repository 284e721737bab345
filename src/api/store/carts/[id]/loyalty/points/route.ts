import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyCartPointsService from "../../../../../../services/loyalty-cart-points"
import { CartPointsBody, CartPointsResponse } from "../../../../../../domain/http/cart-points"
import { route } from "../../../../../_shared/handler"
import { currentCustomerId } from "../../../../../_shared/members"
import { Refusals, type RouteDocs } from "../../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../../_shared/validate"

const Params = z.object({ id: z.string().meta({ description: "my open cart" }) })

/** POST /store/carts/:id/loyalty/points { points } → the cart's totals show their value at once; debited at completion. */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { points } = parseInput(CartPointsBody, req.body, "body")
  const service = req.scope.resolve<LoyaltyCartPointsService>("loyaltyCartPointsService")
  res.json({ cart_points: await service.apply(req.params.id, currentCustomerId(req), points) })
})

/** DELETE /store/carts/:id/loyalty/points → the points come off the cart (nothing was debited). */
export const DELETE = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const service = req.scope.resolve<LoyaltyCartPointsService>("loyaltyCartPointsService")
  res.json({ cart_points: await service.remove(req.params.id, currentCustomerId(req)) })
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Pay part of my cart with points (debited when the order is placed)",
    description:
      "Replaces points applied before. The cart's totals show their value at once (a line-item adjustment per line, in discount_total). Nothing is debited now: completing the cart debits them under the account lock, or refuses with 400 INSUFFICIENT_POINTS when the balance fell meanwhile (take the points off to complete without them).",
    auth: "customer",
    params: Params,
    query: NoQuery,
    body: CartPointsBody,
    response: CartPointsResponse,
    errors: [
      { status: 400, code: "INVALID_INPUT", when: "points the program does not allow (field points: minimum, step, more than max_cart_share_bps of the goods, with max_points); a completed cart" },
      Refusals.insufficientPoints("fewer points available than applied"),
      Refusals.notFound("no such open cart of mine"),
      Refusals.rulesUnavailable,
    ],
  },
  DELETE: {
    summary: "Take the points off my cart",
    auth: "customer",
    params: Params,
    query: NoQuery,
    response: CartPointsResponse,
    errors: [Refusals.notFound("no such open cart of mine")],
  },
}
