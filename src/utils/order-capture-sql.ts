import type { EntityManager } from "typeorm"

/**
 * When the payment of order `o` (an alias of Medusa's "order" table in the surrounding query) was captured, as one
 * SQL expression; NULL while it is not. Medusa sets payment_status 'captured' once every payment of the order has
 * captured_at, then 'partially_refunded' / 'refunded' (refunds need a capture), so either the status or the payments
 * themselves say so. An order without any payment had nothing to pay (a total of 0): it counts as captured when placed.
 */
export const CAPTURED_AT_SQL = `(CASE
  WHEN o.payment_status = 'canceled' THEN NULL
  WHEN NOT EXISTS (SELECT 1 FROM payment pay WHERE pay.order_id = o.id) THEN o.created_at
  WHEN o.payment_status IN ('captured', 'partially_refunded', 'refunded')
    OR NOT EXISTS (SELECT 1 FROM payment pay WHERE pay.order_id = o.id AND pay.captured_at IS NULL)
    THEN coalesce((SELECT max(pay.captured_at) FROM payment pay WHERE pay.order_id = o.id), o.updated_at)
END)`

/** Whether the order's payment is captured (CAPTURED_AT_SQL not NULL). */
export async function isOrderCaptured(manager: EntityManager, order_id: string): Promise<boolean> {
  const [row] = await manager.query(`SELECT ${CAPTURED_AT_SQL} AS captured_at FROM "order" o WHERE o.id = $1`, [order_id])
  return Boolean(row?.captured_at)
}
