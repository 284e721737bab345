/** The core's MemberFacts from the module's half (account, window points) and the caller's half (MemberContext). */
import type { MemberFacts } from "../../core/domain/rules/facts"
import type { AccountRow } from "./stores/accounts"
import type { MemberContext } from "./types"

/** Facts of a member when no context is given: no orders, no groups (the ledger figures are always read). */
export const NO_CONTEXT: MemberContext = { orders_count: 0, spend_last_365d_minor: 0, group_ids: [], created_at: null }

export function factsOf(account: AccountRow | null, customer_id: string, points_last_365d: number, context: MemberContext, now: Date): MemberFacts {
  return {
    customer_id,
    points_lifetime: account?.points_lifetime ?? 0,
    points_balance: account?.points_balance ?? 0,
    tier: account?.tier ?? null,
    orders_count: context.orders_count,
    points_last_365d,
    spend_last_365d_minor: context.spend_last_365d_minor,
    group_ids: context.group_ids,
    created_at: new Date(context.created_at ?? account?.created_at ?? now).toISOString(),
  }
}
