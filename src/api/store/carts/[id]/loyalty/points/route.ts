import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyCartPointsService from "../../../../../../services/loyalty-cart-points"
import { CartPointsBody } from "../../../../../../domain/http/cart-points"
import { route } from "../../../../../_shared/handler"
import { currentCustomerId } from "../../../../../_shared/members"
import { cartPointsDocs } from "../../../../../../domain/http/contracts/spending"
import { NoQuery, parseInput } from "../../../../../_shared/validate"

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

export const openapi = cartPointsDocs("The cart's totals show their value at once (a line-item adjustment per line, in discount_total).")
