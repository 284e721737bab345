/**
 * Earn preview: what a cart (or one unit of a variant) will earn when it becomes an order, computed by the SAME
 * evaluation the order's accrual runs (evaluateAccrual over AccrualFacts), with the facts the order will have: the
 * cart's totals in minor units, the customer's earlier orders that still stand (the first-order bonus), their
 * account as the posting will see it (a new member's account opens with the tier the ladder gives zero points),
 * and `now` as the order's placed time (campaign windows and store-local time in the program's time zone).
 * A guest is previewed as a new member would be: what signing in would earn. Writes nothing.
 */
import { evaluateAccrual } from "./accrual"
import { accountRowFacts, tierDecidedByAccountRow } from "./member-inputs"
import { decideTierChange, evaluateTier, nextTier, type TierRef } from "./tiers"
import { accruesPending } from "../rules/program"
import type { CustomerRow, LineItemFacts, MemberFacts, OrderFacts } from "../rules/facts"
import type { Rulebook } from "../rules/rulebook"

/** The order facts of a cart before it is placed: everything but the placed time (the preview's `now`). */
export type CartFacts = Omit<OrderFacts, "created_at">

/** The member the cart belongs to, as the adapters read it; `customer` null (or without an account) for a guest. */
export interface PreviewMember {
  customer: (CustomerRow & { has_account: boolean }) | null
  /** The customer's orders that still stand (canceled excluded): 0 means the cart is their first order. */
  earlier_orders: number
  /** The loyalty account, null before the member's first posting opens it. */
  account: { points_balance: number; points_lifetime: number; tier: string | null; tier_below_since?: Date | null } | null
  /**
   * The member's full facts now, needed only when the rulebook's tiers read more than the account row
   * (previewNeedsMemberFacts); otherwise they are derived from the account.
   */
  member_facts?: MemberFacts
}

export interface EarnPreview {
  /** Points the order will earn: integer ≥ 0. */
  points: number
  /** They will be posted as pending (the program's pending_days or spendable_on "captured"). */
  pending: boolean
  /** False for a guest: the points are what a member would earn (the order of a guest earns nothing). */
  member: boolean
  /** The fired rules' contributions, in the accrual's order (amount, multipliers, bonuses, caps); they sum to `points`. */
  rules: Array<{ name: string; points: number }>
  /** The member's tier now and after the order; null without a tiers file. */
  tier: { current: string | null; after: string | null; points_to_next: number | null } | null
  rulebook_version: string
}

/**
 * Whether the preview needs the member's full facts (orders, 365-day windows, spend, groups) to decide the tier
 * after the order: the posting decides from the account row otherwise (tierDecidedByAccountRow), and so does this.
 */
export function previewNeedsMemberFacts(rulebook: Rulebook): boolean {
  return rulebook.tiers !== null && !tierDecidedByAccountRow(rulebook)
}

/**
 * The preview of `cart` for `member` at `now`. Invariants: pure; `points` and `rules` are exactly what
 * evaluateAccrual gives the order placed at `now` with the same totals and member (tests/unit/earn-preview.test.ts);
 * pending points do not count towards the tier after (they are not lifetime points until activated).
 */
export function earnPreview(rulebook: Rulebook, cart: CartFacts, member: PreviewMember, now: Date): EarnPreview {
  const is_member = member.customer?.has_account === true
  const account = (is_member && member.account) || openingAccount(rulebook, now)
  const customer = is_member ? member.customer! : { id: "", email: "", group_ids: [], created_at: now, has_account: false }
  const orders_count = is_member ? member.earlier_orders : 0
  const facts = {
    order: { ...cart, created_at: now.toISOString() },
    customer: {
      id: customer.id, email: customer.email, group_ids: [...customer.group_ids], created_at: new Date(customer.created_at).toISOString(),
      orders_count, points_balance: account.points_balance, points_lifetime: Number(account.points_lifetime), tier: account.tier,
    },
  }
  const result = evaluateAccrual(rulebook, facts)
  const pending = accruesPending(rulebook.program, false) // a just-placed order: authorized, not captured
  const before = (is_member && member.member_facts) || accountRowFacts({ customer_id: customer.id, ...account, points_lifetime: Number(account.points_lifetime) })
  return {
    points: result.points,
    pending,
    member: is_member,
    rules: result.contributions.map((c) => ({ name: c.rule, points: c.points })),
    tier: tierAfter(rulebook, account, afterOrder(before, cart, pending ? 0 : result.points), now),
    rulebook_version: rulebook.version,
  }
}

/** The account a first posting opens: no points, the tier the ladder gives a member with nothing yet. */
function openingAccount(rulebook: Rulebook, now: Date): NonNullable<PreviewMember["account"]> {
  const empty = accountRowFacts({ customer_id: "", points_balance: 0, points_lifetime: 0, tier: null })
  return { points_balance: 0, points_lifetime: 0, tier: evaluateTier(rulebook, { ...empty, created_at: now.toISOString() })?.code ?? null }
}

/** The member's facts once the order is placed and its (non-pending) points posted. */
function afterOrder(before: MemberFacts, cart: CartFacts, credited: number): MemberFacts {
  return {
    ...before,
    points_lifetime: before.points_lifetime + credited,
    points_balance: before.points_balance + credited,
    orders_count: before.orders_count + 1,
    points_last_365d: before.points_last_365d + credited,
    spend_last_365d_minor: before.spend_last_365d_minor + Math.max(cart.subtotal - cart.discount_total, 0),
  }
}

/** The stored tier now, the one the posting's recompute will store, and the points the member then needs for the next. */
function tierAfter(rulebook: Rulebook, account: NonNullable<PreviewMember["account"]>, after: MemberFacts, now: Date): EarnPreview["tier"] {
  if (!rulebook.tiers) return null
  const stored = rulebook.tiers.tiers.find((t) => t.code === account.tier)
  const decision = decideTierChange({
    current: stored ? { code: stored.code, name: stored.name, rank: stored.rank } : null,
    qualified: evaluateTier(rulebook, after) as TierRef,
    policy: rulebook.tiers.downgrade,
    below_since: account.tier_below_since ?? null,
    now,
  })
  const next = nextTier(rulebook, decision.tier.code, { ...after, tier: decision.tier.code })
  return { current: account.tier, after: decision.tier.code, points_to_next: next?.points_needed ?? null }
}

/** A variant as the product preview reads it: its product's facts and its price in the asked currency (minor units). */
export interface VariantForPreview {
  variant_id: string
  title: string
  sku: string | null
  product_id: string
  collection_id: string | null
  type: string | null
  type_id: string | null
  tags: string[]
  /** The variant's price for one unit, minor units; null when it has none in the currency. */
  unit_price_minor: number | null
}

/**
 * The cart facts of one unit of `variant` alone (no discount, shipping or tax: they are not known before checkout).
 * Invariant: amounts are the unit price, an integer in minor units of `currency_code`.
 */
export function variantCartFacts(
  variant: VariantForPreview & { unit_price_minor: number },
  where: { currency_code: string; currency_decimals: number; region_id: string; sales_channel_id: string | null }
): CartFacts {
  const price = variant.unit_price_minor
  const item: LineItemFacts = {
    id: variant.variant_id, title: variant.title, product_id: variant.product_id, variant_id: variant.variant_id, sku: variant.sku,
    collection_id: variant.collection_id, type: variant.type, type_id: variant.type_id, tags: [...variant.tags],
    quantity: 1, unit_price: price, subtotal: price, discount_total: 0, total: price,
  }
  return {
    id: `preview_${variant.variant_id}`, subtotal: price, discount_total: 0, shipping_total: 0, tax_total: 0, total: price,
    gift_card_total: 0, ...where, items: [item],
  }
}

export interface VariantPreview {
  variant_id: string
  /** Minor units; null when the variant has no price in the currency (then it earns nothing: points 0, no rules). */
  unit_price: number | null
  points: number
  pending: boolean
  rules: EarnPreview["rules"]
}

/** Points per variant of a product for `member` (a guest: what a member would earn), one unit each. Invariant: pure. */
export function productEarnPreview(
  rulebook: Rulebook,
  variants: readonly VariantForPreview[],
  where: Parameters<typeof variantCartFacts>[1],
  member: PreviewMember,
  now: Date
): { member: boolean; variants: VariantPreview[] } {
  const out = variants.map((v): VariantPreview => {
    if (v.unit_price_minor === null) return { variant_id: v.variant_id, unit_price: null, points: 0, pending: false, rules: [] }
    const p = earnPreview(rulebook, variantCartFacts({ ...v, unit_price_minor: v.unit_price_minor }, where), member, now)
    return { variant_id: v.variant_id, unit_price: v.unit_price_minor, points: p.points, pending: p.pending, rules: p.rules }
  })
  return { member: member.customer?.has_account === true, variants: out }
}
