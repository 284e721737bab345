import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { CartPointsBody } from "../../../../../../core/domain/http/cart-points"
import { cartPointsDocs } from "../../../../../../core/domain/http/contracts/spending"
import { currentCustomerId, route } from "../../../../../../lib/http"
import { applyCartPoints, removeCartPoints } from "../../../../../../workflows/cart-points/cart-points"

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

export const openapi = cartPointsDocs("The cart's total drops by their value at once (a credit line: its tax is unchanged).")
