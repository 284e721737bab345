/**
 * Facts are plain data computed before evaluation: the engine never touches the database or the clock.
 * All money is integer minor units (Medusa's convention); all points are integers.
 */
import type { LocalTime } from "../shared/store-time"

export interface LineItemFacts {
  id: string
  title: string
  product_id: string | null
  variant_id: string | null
  sku: string | null
  collection_id: string | null
  /** Product type value (e.g. "shirt"), null when the product has no type. */
  type: string | null
  type_id: string | null
  /** Product tag values. */
  tags: string[]
  quantity: number
  unit_price: number
  subtotal: number
  discount_total: number
  total: number
}

export interface OrderFacts {
  id: string
  subtotal: number
  discount_total: number
  shipping_total: number
  tax_total: number
  total: number
  gift_card_total: number
  currency_code: string
  /** Decimal places of the currency (2 for usd/eur, 0 for jpy/krw, ...): amounts are in 10^-decimals units. */
  currency_decimals: number
  region_id: string
  sales_channel_id: string | null
  items: LineItemFacts[]
  /** ISO 8601. */
  created_at: string
}

/**
 * Store-local time of an order, derived at evaluation from its `created_at` and the program's `timezone` (never
 * stored, never given: a late event, a reconcile and a backtest all see the order's own time).
 */
export interface OrderTimeFacts {
  /** Epoch milliseconds of created_at: compare instants with the numeric operators. */
  placed_at: number
  /** YYYY-MM-DD on the store's calendar. */
  local_date: string
  /** "sunday" … "saturday" on the store's calendar. */
  local_weekday: string
  /** 0–23 on the store's clock. */
  local_hour: number
}

export interface CustomerFacts {
  id: string
  email: string
  group_ids: string[]
  /** ISO 8601. */
  created_at: string
  /** Orders this customer placed before the one being evaluated (canceled ones excluded). */
  orders_count: number
  points_balance: number
  points_lifetime: number
  /** Tier code, null until tiers are assigned. */
  tier: string | null
}

export interface AccrualFacts {
  order: OrderFacts
  customer: CustomerFacts
}

/**
 * What tiers and promotions rules read about a loyalty member: account figures from the ledger plus a few customer
 * fields, computed by the service at evaluation time. Windows are fixed at 365 days (MEMBER_WINDOW_DAYS) so a rule
 * says what it means in its path, and tiers and promotions files agree on it without a shared setting.
 */
export interface MemberFacts {
  customer_id: string
  /** Points ever earned, net of clawbacks (ledger "lifetime" kinds); redemptions and expiry never lower it. */
  points_lifetime: number
  points_balance: number
  /** The member's stored tier code, null before the first tier evaluation. */
  tier: string | null
  /** Orders placed, canceled ones excluded. */
  orders_count: number
  /** Net points of the lifetime kinds in entries created in the last MEMBER_WINDOW_DAYS days (may be negative). */
  points_last_365d: number
  /**
   * Σ (subtotal − discount_total) of the orders placed in the last MEMBER_WINDOW_DAYS days, canceled excluded, in minor
   * units of the store's default currency; orders in other currencies are left out (no conversion in the domain).
   */
  spend_last_365d_minor: number
  /** Medusa customer group ids. */
  group_ids: string[]
  /** ISO 8601 sign-up time. */
  created_at: string
}

/** Length of the rolling window of `points_last_365d` and `spend_last_365d_minor`, in days of 24 h before `now`. */
export const MEMBER_WINDOW_DAYS = 365

/** The customer columns the accrual facts read (group ids of non-deleted groups). */
export type CustomerRow = { id: string; email: string; created_at: Date | string; group_ids: string[] }

/** Maps a customer and their loyalty state to plain customer facts. */
export function customerFacts(
  customer: CustomerRow,
  state: { orders_count: number; points_balance: number; points_lifetime: number; tier: string | null }
): CustomerFacts {
  return {
    id: customer.id,
    email: customer.email,
    group_ids: [...customer.group_ids],
    created_at: new Date(customer.created_at).toISOString(),
    ...state,
  }
}

/** A value of an action's properties (flat: no objects or arrays). */
export type ActionProperty = string | number | boolean | null

/** The `action` fact of action rules. */
export interface ActionFacts extends LocalTime {
  /** "signup", "birthday", "referral" or a custom type such as "review". */
  type: string
  /** What the action is about (a review id, the year of a birthday): type + reference earns once, ever. */
  reference: string
  /** ISO 8601 instant the action occurred. */
  occurred_at: string
  /** The same instant in epoch milliseconds. */
  occurred_at_ms: number
  /** The merchant's data about the action (flat: keys to strings, numbers, booleans or null). */
  properties: Record<string, ActionProperty>
}
