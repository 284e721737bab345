/** The tier ladder as the admin sees it: each tier with its customer group and its number of members. */
import { loyaltyOf, type Resolver } from "../../lib/container"
import { tierGroupIds } from "./groups"

export type TierOverview = {
  code: string
  name: string
  rank: number
  threshold: number | null
  /** null until the first member reaches the tier (the group is created then). */
  customer_group_id: string | null
  member_count: number
}

/** The live ladder by rank (RULES_UNAVAILABLE without a live rulebook). */
export async function tierOverview(scope: Resolver): Promise<TierOverview[]> {
  const loyalty = loyaltyOf(scope)
  const tiers = loyalty.getRulebook().tiers?.tiers ?? []
  const [counts, groups] = await Promise.all([loyalty.membersPerTier(), tierGroupIds(scope, tiers)])
  return tiers.map((t) => ({
    code: t.code,
    name: t.name,
    rank: t.rank,
    threshold: t.threshold?.value ?? null,
    customer_group_id: groups.get(t.customer_group) ?? null,
    member_count: counts.get(t.code) ?? 0,
  }))
}
