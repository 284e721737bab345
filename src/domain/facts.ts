/**
 * Facts are plain data computed before evaluation: the engine never touches the database or the clock.
 * All money is integer minor units (Medusa's convention); all points are integers.
 */
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
