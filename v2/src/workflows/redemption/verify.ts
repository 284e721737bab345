import { redemptionProblems, type VerifyProblem } from "../../core/domain/ledger/verify"
import { loyaltyOf, type Resolver } from "../../lib/container"
import { orderPromotionPairs } from "./order-promotions"

/**
 * Verify's redemption checks (the core's redemptionProblems): a code an order used must be settled by exactly one
 * order — reserved → redemption_unsettled (reconcile settles it), voided → redemption_voided_used, more than one
 * order → redemption_reused.
 */
export async function redemptionVerifyProblems(scope: Resolver): Promise<VerifyProblem[]> {
  const all = await loyaltyOf(scope).findRedemptions({ has_promotion: true })
  if (!all.length) return []
  const orders = new Map<string, string[]>()
  for (const { promotion_id, order_id } of await orderPromotionPairs(scope, all.map((r) => r.promotion_id!))) {
    orders.set(promotion_id, [...(orders.get(promotion_id) ?? []), order_id].sort())
  }
  return redemptionProblems(
    all
      .filter((r) => orders.has(r.promotion_id!))
      .map((r) => ({ redemption_id: r.id, customer_id: r.customer_id, status: r.status, order_ids: orders.get(r.promotion_id!)! }))
  )
}
