/**
 * Member promotions: which promotions a member is eligible for. Eligibility is decided here from member facts; the
 * discount itself (value, validity, usage limit) is data the service reconciles into a Medusa discount restricted to
 * the promotion's customer group, so Medusa's own checkout enforces the dates and limits.
 */
import { canonicalJson, sha256Hex } from "../shared/canonical-json"
import type { TopLevelCondition } from "../rules/condition"
import type { MemberFacts } from "../rules/facts"
import type { DiscountDefinition, PromotionEntry } from "../rules/promotion-schema"
import { defaultPromotionGroupName } from "../rules/promotion-schema"
import { compiledPredicate } from "../rules/compiled-condition"

export type { DiscountDefinition }

/** What promotion decisions read of a rulebook: its member promotions. */
type WithPromotions = { readonly promotions: readonly PromotionDef[] }

export interface PromotionDef {
  /** The Medusa discount code, unique across the rulebook. */
  readonly code: string
  readonly name: string
  readonly description?: string
  /** Medusa customer group of the eligible members (the file's, or "Loyalty promotion: <code>"). */
  readonly customer_group: string
  readonly conditions: TopLevelCondition
  readonly discount: DiscountDefinition
  /** The promotions file it came from. */
  readonly file: string
}

/** A parsed promotion as compiled into the rulebook: customer group defaulted, source file recorded. */
export function buildPromotionDef(file_name: string, entry: PromotionEntry): PromotionDef {
  return { ...entry, customer_group: entry.customer_group ?? defaultPromotionGroupName(entry.code), file: file_name }
}

/**
 * The promotions whose conditions hold for `member`, in rulebook order (files in compile order, then file order).
 * Dates and usage limits are not checked here: Medusa enforces them on the discount, and group membership made
 * before `starts_at` lets the code work from its first minute without a re-sync.
 * Invariants: pure and synchronous (compiled conditions); the same rulebook and facts give the same list.
 */
export function eligiblePromotions(rulebook: WithPromotions, member: MemberFacts): PromotionDef[] {
  const facts = { member }
  return rulebook.promotions.filter((p) => compiledPredicate(p.conditions)(facts))
}

/**
 * What reconciling the promotions files into the store's own promotions did (both adapters): codes created, updated,
 * disabled or unchanged; `conflicts` are codes held by a promotion the plugin did not create (left untouched);
 * `pending` are kept but cannot exist in the store yet (the adapter says why); `failed` are errors per code.
 */
export type PromotionReconcileResult = {
  rulebook_version: string
  created: string[]
  updated: string[]
  disabled: string[]
  unchanged: string[]
  conflicts: { code: string; reason: string }[]
  pending: { code: string; reason: string }[]
  failed: { code: string; reason: string }[]
}

/** An empty result for `rulebook_version`, to fill while reconciling. */
export function emptyPromotionReconcile(rulebook_version: string): PromotionReconcileResult {
  return { rulebook_version, created: [], updated: [], disabled: [], unchanged: [], conflicts: [], pending: [], failed: [] }
}

/**
 * What versions a promotion's platform side (a v1 discount, a v2 promotion, and its customer group): a different
 * hash means they may need an update. The file it came from is not part of it (moving a promotion between files
 * changes nothing in the store).
 */
export function promotionDefinitionHash(def: PromotionDef): string {
  const { file: _file, ...rest } = def
  return sha256Hex(canonicalJson(rest))
}

/** A promotion the store tracks (created by reconcile) with its customer group. */
export interface TrackedPromotion {
  code: string
  customer_group_id: string
  disabled_at: Date | null
}

/**
 * Decides a member's promotion group moves: in the group of every tracked, enabled promotion of the rulebook they are
 * eligible for, out of every other tracked promotion's group (a group shared by several promotions is kept while one
 * of them wants the member). Groups of untracked promotions are never touched. `eligible`: the codes of tracked,
 * enabled promotions the member qualifies for.
 */
export function promotionGroupMoves(a: {
  rulebook: WithPromotions
  member: MemberFacts
  tracked: readonly TrackedPromotion[]
  current_group_ids: readonly string[]
}): { added: string[]; removed: string[]; eligible: string[] } {
  const qualifies = new Set(eligiblePromotions(a.rulebook, a.member).map((p) => p.code))
  const live = new Set(a.rulebook.promotions.map((p) => p.code))
  const wanted = new Map<string, boolean>()
  for (const row of a.tracked) {
    const should = row.disabled_at === null && live.has(row.code) && qualifies.has(row.code)
    wanted.set(row.customer_group_id, (wanted.get(row.customer_group_id) ?? false) || should)
  }
  const current = new Set(a.current_group_ids)
  const added = [...wanted].filter(([id, should]) => should && !current.has(id)).map(([id]) => id)
  const removed = [...wanted].filter(([id, should]) => !should && current.has(id)).map(([id]) => id)
  const eligible = [...qualifies].filter((code) => a.tracked.some((r) => r.code === code && r.disabled_at === null))
  return { added, removed, eligible }
}

/** A member promotion's validity as the store keeps it: a v1 discount's dates, a v2 campaign's starts_at/ends_at. */
export interface PromotionWindow {
  starts_at: Date | null
  ends_at: Date | null
}

/**
 * The window of a promotion's discount from the rule files (null: open on that side). Invariant: a promotion with
 * neither date needs no dated container in the store (no v2 campaign).
 */
export function promotionWindow(discount: Pick<DiscountDefinition, "starts_at" | "ends_at">): PromotionWindow {
  return {
    starts_at: discount.starts_at ? new Date(discount.starts_at) : null,
    ends_at: discount.ends_at ? new Date(discount.ends_at) : null,
  }
}

/** Whether a promotion with this window can be used at `now`: started (inclusive) and not ended (exclusive). */
export function promotionOpenAt(window: PromotionWindow, now: Date): boolean {
  if (window.starts_at && window.starts_at.getTime() > now.getTime()) return false
  if (window.ends_at && window.ends_at.getTime() <= now.getTime()) return false
  return true
}
