/**
 * Member promotions: which promotions a member is eligible for. Eligibility is decided here from member facts; the
 * discount itself (value, validity, usage limit) is data the service reconciles into a Medusa discount restricted to
 * the promotion's customer group, so Medusa's own checkout enforces the dates and limits.
 */
import type { TopLevelCondition } from "./condition"
import type { MemberFacts } from "./facts"
import type { DiscountDefinition, PromotionEntry } from "./promotion-schema"
import { defaultPromotionGroupName } from "./promotion-schema"
import { compiledPredicate } from "./compiled-condition"
import type { Rulebook } from "./rulebook"

export type { DiscountDefinition }

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
export function eligiblePromotions(rulebook: Rulebook, member: MemberFacts): PromotionDef[] {
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
