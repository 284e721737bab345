/** The reconcile sweep for referrals: first orders whose order.placed, and canceled ones whose order.canceled, was lost. */
import { queryOf, loyaltyOf, type Resolver } from "../../lib/container"
import { awardReferralWorkflow, reverseReferralWorkflow } from "./workflows"

const inWindow = (at: string | Date | null | undefined, window: { since: Date; until: Date }) => {
  const t = at ? new Date(at).getTime() : NaN
  return t >= window.since.getTime() && t < window.until.getTime()
}

/**
 * Referred members without awards whose first order was placed in the window get them, and orders canceled in the
 * window whose awards were not taken back lose them, through the subscribers' own workflows (their keys make this
 * idempotent: a second run finds nothing). Counts are the entries this run wrote.
 */
export async function reconcileReferrals(scope: Resolver, window: { since: Date; until: Date }): Promise<{ awarded: number; reversed: number }> {
  const counts = { awarded: 0, reversed: 0 }
  const { referred_ids, awarded_order_ids } = await loyaltyOf(scope).referralReconcileCandidates()
  const query = queryOf(scope)
  if (referred_ids.length) {
    const { data: orders } = await query.graph({ entity: "order", fields: ["id", "customer_id", "created_at", "status", "is_draft_order"], filters: { customer_id: referred_ids } })
    const first = new Map<string, any>()
    for (const o of orders.filter((o: any) => o.is_draft_order !== true)) {
      const seen = first.get(o.customer_id)
      const earlier = !seen || new Date(o.created_at).getTime() < new Date(seen.created_at).getTime() || (o.created_at === seen.created_at && o.id < seen.id)
      if (earlier) first.set(o.customer_id, o)
    }
    for (const o of first.values()) {
      if (o.status === "canceled" || !inWindow(o.created_at, window)) continue
      const { result } = await awardReferralWorkflow(scope as any).run({ input: { order_id: o.id } })
      counts.awarded += result.posted
    }
  }
  if (awarded_order_ids.length) {
    const { data: orders } = await query.graph({ entity: "order", fields: ["id", "status", "canceled_at", "updated_at"], filters: { id: awarded_order_ids } })
    for (const o of orders) {
      if (o.status !== "canceled" || !inWindow(o.canceled_at ?? o.updated_at, window)) continue
      const { result } = await reverseReferralWorkflow(scope as any).run({ input: { order_id: o.id } })
      counts.reversed += result.posted
    }
  }
  return counts
}
