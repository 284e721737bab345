import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { CartPointsBody, CartPointsResponse } from "../../../../../../core/domain/http/cart-points"
import { Refusals, type RouteDocs } from "../../../../../../core/domain/http/route-docs"
import { currentCustomerId, route } from "../../../../../../lib/http"
import { applyCartPoints, removeCartPoints } from "../../../../../../workflows/cart-points/cart-points"

const Params = z.object({ id: z.string().min(1) }).strict()

/**
 * POST /store/carts/:id/loyalty/points { points } → 200 { cart_points }: the signed-in member's points pay part of
 * their cart (a credit line; the total shows it at once); nothing is debited before the order's completion
 * (docs/pay-with-points.md). Too few, off-step or more than the program's share of the goods → 400 INVALID_INPUT
 * naming `points`; more than the balance → 400 INSUFFICIENT_POINTS. A guest gets Medusa's 401.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { points } = parseInput(CartPointsBody, req.body, "body")
  const cart_points = await applyCartPoints(req.scope, { cart_id: req.params.id, customer_id: currentCustomerId(req), points })
  res.json({ cart_points })
})

/** DELETE /store/carts/:id/loyalty/points → 200 { cart_points } with 0 points: the cart pays without points. */
export const DELETE = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ cart_points: await removeCartPoints(req.scope, { cart_id: req.params.id, customer_id: currentCustomerId(req) }) })
})

const notMine = Refusals.notFound("no such cart of mine")
const completed = { status: 400, code: "INVALID_INPUT", when: "the cart is already completed" }

export const openapi: RouteDocs = {
  POST: {
    summary: "Pay part of my cart with points (applied now, debited when the order is placed)",
    description:
      "Replaces the points on the cart. The cart's total drops by their value at once (a credit line: its tax is unchanged). The debit happens in the cart's completion, which answers 400 INSUFFICIENT_POINTS when the balance fell meanwhile.",
    auth: "customer",
    params: Params,
    query: NoQuery,
    body: CartPointsBody,
    response: CartPointsResponse,
    errors: [
      Refusals.insufficientPoints("fewer points available than applied"),
      { status: 400, code: "INVALID_INPUT", when: "points the program does not allow: below min_points, not a multiple of step_points, or worth more than max_cart_share_bps of the goods (details: max_points); a completed cart" },
      notMine,
      Refusals.rulesUnavailable,
    ],
  },
  DELETE: { summary: "Take the points off my cart", auth: "customer", params: Params, query: NoQuery, response: CartPointsResponse, errors: [completed, notMine] },
}
