import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { MEMBER_WINDOW_DAYS, type MemberFacts } from "../core/domain/facts"
import { LIFETIME_KINDS } from "../core/domain/ledger"
import { LOYALTY_MODULE } from "../modules/loyalty"
import type LoyaltyModuleService from "../modules/loyalty/service"
import type { AccountRow } from "../modules/loyalty/service"

/**
 * The member facts tiers read, from the ledger and the customer. v2 part 1: spend_last_365d_minor is 0 (orders'
 * spend per window is not summed by the v2 adapter yet); the default ladder reads lifetime points only.
 */
export async function memberFactsOf(scope: { resolve<T = any>(k: string): T }, account: AccountRow): Promise<MemberFacts> {
  const query = scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "customer", fields: ["id", "created_at", "groups.id"], filters: { id: account.customer_id } })
  const { data: orders } = await query.graph({ entity: "order", fields: ["id"], filters: { customer_id: account.customer_id, status: { $ne: "canceled" } } })
  const since = new Date(Date.now() - MEMBER_WINDOW_DAYS * 86_400_000)
  const entries = await scope.resolve<LoyaltyModuleService>(LOYALTY_MODULE).listLoyaltyLedgerEntries(
    { customer_id: account.customer_id, created_at: { $gte: since } } as any,
    { select: ["kind", "points"] }
  )
  const points_last_365d = entries.filter((e: any) => LIFETIME_KINDS.has(e.kind)).reduce((n: number, e: any) => n + e.points, 0)
  return {
    customer_id: account.customer_id,
    points_lifetime: account.points_lifetime,
    points_balance: account.points_balance,
    tier: account.tier,
    orders_count: orders.length,
    points_last_365d,
    spend_last_365d_minor: 0,
    group_ids: (data[0]?.groups ?? []).map((g: { id: string }) => g.id),
    created_at: new Date(data[0]?.created_at ?? account.created_at).toISOString(),
  }
}
