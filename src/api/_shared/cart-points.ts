import type { CartService, MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { defaultStoreCartFields, defaultStoreCartRelations } from "@medusajs/medusa/dist/api/routes/store/carts"
import { cleanResponseData } from "@medusajs/medusa/dist/utils/clean-response-data"
import type { EntityManager } from "typeorm"
import type LoyaltyCartPointsService from "../../services/loyalty-cart-points"

type CartAnswer = { cart?: { id?: string } } & Record<string, unknown>

/**
 * Before Medusa's cart routes that change a cart's lines (add, update, remove a line; update the cart): once Medusa
 * has answered, the points applied to the cart are spread over its lines as they are now, and the answer carries the
 * cart read again, so the totals a shopper sees after a change include the points at once. Medusa's routes end the
 * response themselves, hence the wrapped `res.json`. A failure keeps Medusa's answer (the completion spreads again).
 */
export function respreadCartPoints(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction): void {
  const json = res.json.bind(res)
  res.json = ((body: CartAnswer) => {
    const cart_id = body?.cart?.id
    if (!cart_id || res.statusCode >= 400) return json(body)
    void withPointsSpread(req, cart_id, body).then(json, () => json(body))
    return res
  }) as MedusaResponse["json"]
  next()
}

async function withPointsSpread(req: MedusaRequest, cart_id: string, body: CartAnswer): Promise<CartAnswer> {
  const points = req.scope.resolve<LoyaltyCartPointsService>("loyaltyCartPointsService")
  const changed = await req.scope.resolve<EntityManager>("manager").transaction((m) => points.withTransaction(m).respread(cart_id))
  if (!changed) return body
  const cart = await req.scope
    .resolve<CartService>("cartService")
    .retrieveWithTotals(cart_id, { select: defaultStoreCartFields, relations: defaultStoreCartRelations })
  return { ...body, cart: cleanResponseData(cart, []) }
}
