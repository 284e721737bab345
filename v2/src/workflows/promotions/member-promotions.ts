/** The member promotions a logged-in customer can use now. */
import { eligiblePromotions, promotionOpenAt, promotionWindow, type PromotionDef } from "../../core/domain/program/promotions"
import { loyaltyOf, promotionsOf, type Resolver } from "../../lib/container"
import type { TrackedPromotionRow } from "../../modules/loyalty/types"
import { memberAccount } from "../members/member-account"
import { memberFactsOf } from "../members/member-facts"

/**
 * The promotions the member is eligible for by their member facts (the core's eligiblePromotions), open at `now`
 * (promotionOpenAt: a dated one between its starts_at and ends_at), that reconcile made into an active v2
 * promotion, in the rule files' order.
 */
export async function usableMemberPromotions(scope: Resolver, customer_id: string, now: Date = new Date()): Promise<PromotionDef[]> {
  const loyalty = loyaltyOf(scope)
  const account = await memberAccount(scope, customer_id)
  const eligible = eligiblePromotions(loyalty.getRulebook(), await memberFactsOf(scope, account))
    .filter((def) => promotionOpenAt(promotionWindow(def.discount), now))
  const tracked = new Map((await loyalty.trackedPromotions()).map((r) => [r.code, r]))
  const live = eligible.filter((def) => livePromotionId(tracked.get(def.code)) !== null)
  const active = await activePromotionIds(scope, live.map((def) => livePromotionId(tracked.get(def.code))!))
  return live.filter((def) => active.has(livePromotionId(tracked.get(def.code))!))
}

/** The v2 promotion of a tracked code that is not disabled, or null. */
function livePromotionId(row: TrackedPromotionRow | undefined): string | null {
  return row && row.disabled_at === null && row.promotion_id ? row.promotion_id : null
}

async function activePromotionIds(scope: Resolver, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set()
  const active = await promotionsOf(scope).listPromotions({ id: ids, status: "active" }, { select: ["id"] })
  return new Set(active.map((p: { id: string }) => p.id))
}
