import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { currencyDecimals } from "../../core/domain/shared/currency"
import { MEMBER_WINDOW_DAYS, type MemberFacts } from "../../core/domain/rules/facts"
import { LOYALTY_MODULE } from "../../modules/loyalty"
import type LoyaltyModuleService from "../../modules/loyalty/service"
import type { AccountRow, MemberContext, MemberContextSource } from "../../modules/loyalty/types"
import { toMinorUnits } from "../../lib/money"
import { DAY_MS } from "../../core/domain/shared/time"

type Resolver = { resolve<T = any>(key: string): T }
type Query = { graph(input: Record<string, unknown>): Promise<{ data: any[]; metadata?: { count?: number } }> }


/**
 * The member facts that come from Medusa's own modules (customer and order), read through Query: the loyalty
 * module cannot read other modules' data, so the workflow steps hand it this source and the module adds the ledger
 * figures (lifetime, balance, 365-day points) under the account's lock (the service's applyTier).
 * The figures the core's MemberFacts defines (core/domain/rules/facts.ts):
 * - orders_count: the customer's orders that are not canceled (draft orders excluded: they were never placed);
 * - spend_last_365d_minor: Σ (item subtotal − item discounts) of those placed in the last MEMBER_WINDOW_DAYS days,
 *   in minor units of the store's default currency (orders in other currencies left out, no conversion);
 * - group_ids and created_at of the customer.
 */
export async function memberContextOf(scope: Resolver, customer_id: string, now: Date = new Date()): Promise<MemberContext> {
  const query = scope.resolve<Query>(ContainerRegistrationKeys.QUERY)
  const [{ data: customers }, { data: stores }, { data: orders }] = await Promise.all([
    query.graph({ entity: "customer", fields: ["id", "created_at", "groups.id"], filters: { id: customer_id } }),
    query.graph({ entity: "store", fields: ["id", "supported_currencies.currency_code", "supported_currencies.is_default"] }),
    query.graph({
      entity: "order",
      fields: ["id", "status", "created_at", "currency_code", "is_draft_order"],
      filters: { customer_id, status: { $ne: "canceled" } },
    }),
  ])
  const standing = orders.filter((o: any) => o.is_draft_order !== true)
  const since = now.getTime() - MEMBER_WINDOW_DAYS * DAY_MS
  const currency = (stores[0]?.supported_currencies ?? []).find((c: any) => c?.is_default)?.currency_code ?? null
  const inWindow = standing
    .filter((o: any) => {
      const at = new Date(o.created_at).getTime()
      return at > since && at <= now.getTime() && currency !== null && o.currency_code === currency
    })
    .map((o: any) => o.id)
  let spend = 0
  if (inWindow.length) {
    // Medusa's computed totals (the accrual facts' subtotal and discount_total), read per order list.
    const { data: totals } = await query.graph({
      entity: "order",
      fields: ["id", "currency_code", "item_subtotal", "discount_subtotal"],
      filters: { id: inWindow },
    })
    for (const o of totals) {
      const decimals = currencyDecimals(o.currency_code)
      spend += toMinorUnits(o.item_subtotal, decimals) - toMinorUnits(o.discount_subtotal, decimals)
    }
  }
  const customer = customers[0]
  return {
    orders_count: standing.length,
    spend_last_365d_minor: spend,
    group_ids: (customer?.groups ?? []).map((g: { id: string }) => g.id).sort(),
    created_at: customer?.created_at ? new Date(customer.created_at).toISOString() : null,
  }
}

/** A lazy source of a member's context: the module reads it only when a posting moves lifetime points. */
export function memberContextSource(scope: Resolver, customer_id: string): MemberContextSource {
  return () => memberContextOf(scope, customer_id)
}

/** The member facts tiers and promotions read, as of `now`. */
export async function memberFactsOf(scope: Resolver, account: AccountRow, now: Date = new Date()): Promise<MemberFacts> {
  const context = await memberContextOf(scope, account.customer_id, now)
  return await scope.resolve<LoyaltyModuleService>(LOYALTY_MODULE).memberFacts(account.customer_id, context, now)
}
