import { Modules } from "@medusajs/framework/utils"
import { promotionGroupMoves } from "../../core/domain/program/promotions"
import type { Rulebook } from "../../core/domain/rules/rulebook"
import { loyaltyOf, type Resolver } from "../../lib/container"
import { memberFactsOf } from "../members/member-facts"

type GroupPair = { customer_id: string; customer_group_id: string }

const customersOf = (scope: Resolver) => scope.resolve<any>(Modules.CUSTOMER)

export type PromotionGroupSync = { added: string[]; removed: string[] }

/**
 * Puts a member in the group of every tracked, live promotion they are eligible for (the core's eligiblePromotions
 * over their member facts) and out of every other tracked promotion's group. Untracked promotions are left to
 * reconcile. Returns what changed (a workflow compensation undoes it).
 */
export async function syncPromotionGroups(scope: Resolver, customer_id: string, rulebook?: Rulebook): Promise<PromotionGroupSync> {
  const loyalty = loyaltyOf(scope)
  let book = rulebook
  if (!book) {
    try {
      book = loyalty.getRulebook()
    } catch {
      return { added: [], removed: [] }
    }
  }
  const rows = await loyalty.trackedPromotions()
  if (!rows.length) return { added: [], removed: [] }
  const account = await loyalty.findAccount(customer_id)
  if (!account) return { added: [], removed: [] }
  const facts = await memberFactsOf(scope, account)
  const { added, removed } = promotionGroupMoves({ rulebook: book, member: facts, tracked: rows, current_group_ids: facts.group_ids })
  const pairs = (ids: string[]): GroupPair[] => ids.map((customer_group_id) => ({ customer_id, customer_group_id }))
  if (removed.length) await customersOf(scope).removeCustomerFromGroup(pairs(removed))
  if (added.length) await customersOf(scope).addCustomerToGroup(pairs(added))
  return { added, removed }
}

/**
 * The tracked promotions (GET /admin/loyalty/promotions), each with the number of customers in its customer group:
 * the members Medusa lets use its code (v1's member_count). One count per promotion, not the members themselves.
 */
export async function trackedPromotionsWithMembers(scope: Resolver) {
  const rows = await loyaltyOf(scope).trackedPromotions()
  return await Promise.all(
    rows.map(async (row) => {
      const [, member_count] = await customersOf(scope).listAndCountCustomers({ groups: { id: [row.customer_group_id] } }, { take: 1, select: ["id"] })
      return { ...row, member_count: member_count as number }
    })
  )
}
