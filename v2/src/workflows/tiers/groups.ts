import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { tierGroupMoves } from "../../core/domain/program/tier-groups"
import type { TierDef } from "../../core/domain/program/tiers"
import { LOYALTY_MODULE } from "../../modules/loyalty"
import type LoyaltyModuleService from "../../modules/loyalty/service"

type Resolver = { resolve<T = any>(key: string): T }
type GroupPair = { customer_id: string; customer_group_id: string }
type CustomerModule = {
  listCustomerGroups(filters: Record<string, unknown>, config?: Record<string, unknown>): Promise<Array<{ id: string; name: string }>>
  createCustomerGroups(data: { name: string; metadata?: Record<string, unknown> }): Promise<{ id: string; name: string }>
  addCustomerToGroup(pairs: GroupPair[]): Promise<unknown>
  removeCustomerFromGroup(pairs: GroupPair[]): Promise<unknown>
}

/** What one sync did to a member's tier groups: exactly what its compensation undoes. */
export type TierGroupSync = { customer_id: string; tier: string | null; added: string[]; removed: string[] }

const customers = (scope: Resolver) => scope.resolve<CustomerModule>(Modules.CUSTOMER)

/** The live tier ladder, or null (no rulebook live, or no tiers file): groups are then left as they are. */
function ladder(scope: Resolver): readonly TierDef[] | null {
  try {
    return scope.resolve<LoyaltyModuleService>(LOYALTY_MODULE).getRulebook().tiers?.tiers ?? null
  } catch {
    return null
  }
}

/**
 * The ids of the ladder's existing customer groups, by group name (tier.customer_group: the core's
 * defaultTierGroupName, "Loyalty: <name>", unless the file names one).
 */
export async function tierGroupIds(scope: Resolver, tiers: readonly TierDef[]): Promise<Map<string, string>> {
  const names = tiers.map((t) => t.customer_group)
  if (!names.length) return new Map()
  const groups = await customers(scope).listCustomerGroups({ name: names }, { select: ["id", "name"], take: null })
  return new Map(groups.map((g) => [g.name, g.id]))
}

/**
 * The id of a tier's group, created on first need (named tier.customer_group, metadata.loyalty_tier = code). Two
 * members reaching a tier at once may both try: the customer module refuses the second name (unique), which then
 * reads the winner's group.
 */
async function ensureGroup(scope: Resolver, tier: TierDef): Promise<string> {
  const existing = (await tierGroupIds(scope, [tier])).get(tier.customer_group)
  if (existing) return existing
  try {
    return (await customers(scope).createCustomerGroups({ name: tier.customer_group, metadata: { loyalty_tier: tier.code } })).id
  } catch (e) {
    const raced = (await tierGroupIds(scope, [tier])).get(tier.customer_group)
    if (raced) return raced
    throw e
  }
}

/**
 * Makes the member's tier groups match the tier stored on their account (the core's tierGroupMoves): in their tier's
 * group, out of every other tier's group; groups that are not the ladder's are never touched. Reads the tier after
 * the posting committed, so the last sync of a member follows their latest tier.
 */
export async function syncTierGroups(scope: Resolver, customer_id: string): Promise<TierGroupSync> {
  const none: TierGroupSync = { customer_id, tier: null, added: [], removed: [] }
  const tiers = ladder(scope)
  if (!tiers) return none
  const account = await scope.resolve<LoyaltyModuleService>(LOYALTY_MODULE).findAccount(customer_id)
  if (!account) return none
  const tier = tiers.find((t) => t.code === account.tier) ?? null
  const query = scope.resolve<any>(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "customer", fields: ["id", "groups.id"], filters: { id: customer_id } })
  if (!data[0]) return none
  const current: string[] = (data[0].groups ?? []).map((g: { id: string }) => g.id)
  const byName = await tierGroupIds(scope, tiers)
  const target = tier ? byName.get(tier.customer_group) ?? (await ensureGroup(scope, tier)) : null
  const { added, removed } = tierGroupMoves({ current, ladder_group_ids: byName.values(), target })
  if (removed.length) await customers(scope).removeCustomerFromGroup(removed.map((customer_group_id) => ({ customer_id, customer_group_id })))
  if (added.length) await customers(scope).addCustomerToGroup(added.map((customer_group_id) => ({ customer_id, customer_group_id })))
  return { customer_id, tier: account.tier, added, removed }
}

/** Undoes one sync (a workflow rollback): leaves the groups it joined, rejoins the groups it left. */
export async function undoTierGroupSync(scope: Resolver, sync: TierGroupSync | null | undefined): Promise<void> {
  if (!sync || (!sync.added.length && !sync.removed.length)) return
  const pairs = (ids: string[]) => ids.map((customer_group_id) => ({ customer_id: sync.customer_id, customer_group_id }))
  if (sync.added.length) await customers(scope).removeCustomerFromGroup(pairs(sync.added))
  if (sync.removed.length) await customers(scope).addCustomerToGroup(pairs(sync.removed))
}
