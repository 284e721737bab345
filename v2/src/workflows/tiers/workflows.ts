import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { syncPromotionGroups } from "../promotions/groups"
import { LOYALTY_MODULE } from "../../modules/loyalty"
import type LoyaltyModuleService from "../../modules/loyalty/service"
import { syncTierGroups, type TierGroupSync, undoTierGroupSync } from "./groups"

/**
 * Tier customer groups follow the account's tier (exactly one tier group per member, the core's tierGroupMoves), and
 * member promotions' groups the member's eligibility (promotionGroupMoves). Runs as the last step of every workflow
 * that posts to the ledger, so a tier change and the membership move together: when a later step fails, the
 * compensation puts the member back in the groups they were in. `customer_id` null (the posting was skipped: guest,
 * unknown order) does nothing.
 */
export const syncTierGroupsStep = createStep(
  "loyalty-sync-tier-groups",
  async ({ customer_id }: { customer_id: string | null }, { container }) => {
    if (!customer_id) return new StepResponse<TierGroupSync | null, TierGroupSync | null>(null, null)
    // One member's syncs run one at a time (a per-member advisory lock): each reads the groups the previous left,
    // so concurrent postings of one member never leave them in two tier groups or none.
    const sync = await container.resolve<LoyaltyModuleService>(LOYALTY_MODULE).withMemberSyncLock(customer_id, async () => {
      const tier = await syncTierGroups(container, customer_id)
      // Member promotions' groups follow the same facts, so a promotion for a tier sees the tier just stored.
      const promo = await syncPromotionGroups(container, customer_id)
      return { ...tier, added: [...tier.added, ...promo.added], removed: [...tier.removed, ...promo.removed] }
    })
    return new StepResponse<TierGroupSync | null, TierGroupSync | null>(sync, sync)
  },
  async (sync, { container }) => {
    await undoTierGroupSync(container, sync)
  }
)

/** Repairs one member's tier groups on demand (e.g. after the tiers file changed). */
export const syncTierGroupsWorkflow = createWorkflow("loyalty-sync-tier-groups", (input: { customer_id: string }) => {
  return new WorkflowResponse(syncTierGroupsStep(input))
})
