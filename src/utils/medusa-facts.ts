import type { Customer, LineItem, Order } from "@medusajs/medusa"
import { currencyDecimals } from "../domain/currency"
import { CustomerFacts, LineItemFacts, OrderFacts } from "../domain/facts"

/** Relations the accrual needs on top of the ones `retrieveWithTotals` adds for totals. */
export const ORDER_FACT_RELATIONS = [
  "customer",
  "customer.groups",
  "items.variant.product",
  "items.variant.product.type",
  "items.variant.product.tags",
]

/** Maps a Medusa order (decorated with totals) to plain order facts. Amounts stay integer minor units. */
export function orderFacts(order: Order): OrderFacts {
  return {
    id: order.id,
    subtotal: int(order.subtotal),
    discount_total: int(order.discount_total),
    shipping_total: int(order.shipping_total),
    tax_total: int(order.tax_total),
    total: int(order.total),
    gift_card_total: int(order.gift_card_total),
    currency_code: order.currency_code,
    currency_decimals: currencyDecimals(order.currency_code),
    region_id: order.region_id,
    sales_channel_id: order.sales_channel_id ?? null,
    items: (order.items ?? []).map(lineItemFacts),
    created_at: new Date(order.created_at).toISOString(),
  }
}

function lineItemFacts(item: LineItem): LineItemFacts {
  const product = item.variant?.product
  return {
    id: item.id,
    title: item.title,
    product_id: product?.id ?? null,
    variant_id: item.variant_id ?? null,
    sku: item.variant?.sku ?? null,
    collection_id: product?.collection_id ?? null,
    type: product?.type?.value ?? null,
    type_id: product?.type_id ?? null,
    tags: (product?.tags ?? []).map((t) => t.value),
    quantity: item.quantity,
    unit_price: int(item.unit_price),
    subtotal: int(item.subtotal),
    discount_total: int(item.discount_total),
    total: int(item.total),
  }
}

/** Maps a customer and their loyalty state to plain customer facts. */
export function customerFacts(
  customer: Customer,
  state: { orders_count: number; points_balance: number; points_lifetime: number; tier: string | null }
): CustomerFacts {
  return {
    id: customer.id,
    email: customer.email,
    group_ids: (customer.groups ?? []).map((g) => g.id),
    created_at: new Date(customer.created_at).toISOString(),
    ...state,
  }
}

// Medusa's totals are integers already; a missing total (e.g. an order without gift cards) counts as 0.
function int(value: number | null | undefined): number {
  return Math.round(value ?? 0)
}
