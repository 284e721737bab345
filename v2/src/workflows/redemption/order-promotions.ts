/** Read-only SQL over v2's order adjustment tables: Query cannot filter orders by an adjustment's promotion. */
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { Resolver } from "../../lib/container"

/** The ids of orders with an item or shipping adjustment of one of `promotion_ids` (v2's order adjustment tables). */
export async function ordersWithPromotions(scope: Resolver, promotion_ids: string[]): Promise<string[]> {
  return [...new Set((await orderPromotionPairs(scope, promotion_ids)).map((p) => p.order_id))]
}

/**
 * (promotion, order) pairs of the existing orders whose items or shipping methods carry an adjustment of one of
 * `promotion_ids`. Read-only SQL over v2's order tables (as the CLI's v2 readers): Query cannot filter orders by
 * an adjustment's promotion.
 */
export async function orderPromotionPairs(scope: Resolver, promotion_ids: string[]): Promise<Array<{ promotion_id: string; order_id: string }>> {
  if (!promotion_ids.length) return []
  const knex = scope.resolve<any>(ContainerRegistrationKeys.PG_CONNECTION)
  const { rows } = await knex.raw(
    `SELECT DISTINCT a.promotion_id, oi.order_id FROM order_line_item_adjustment a
       JOIN order_item oi ON oi.item_id = a.item_id AND oi.deleted_at IS NULL
       JOIN "order" o ON o.id = oi.order_id AND o.deleted_at IS NULL
      WHERE a.promotion_id = ANY(?) AND a.deleted_at IS NULL
     UNION
     SELECT DISTINCT a.promotion_id, os.order_id FROM order_shipping_method_adjustment a
       JOIN order_shipping os ON os.shipping_method_id = a.shipping_method_id AND os.deleted_at IS NULL
       JOIN "order" o ON o.id = os.order_id AND o.deleted_at IS NULL
      WHERE a.promotion_id = ANY(?) AND a.deleted_at IS NULL`,
    [promotion_ids, promotion_ids]
  )
  return rows
}
