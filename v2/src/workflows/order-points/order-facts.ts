import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { currencyDecimals } from "../../core/domain/shared/currency"
import { customerFacts, type AccrualFacts, type CustomerRow, type LineItemFacts, type OrderFacts } from "../../core/domain/rules/facts"
import { POINTS_PAYMENT_REFERENCE, withPointsPaidAsDiscount } from "../../core/domain/ledger/points-payment"
import { toMinorUnits } from "../../lib/money"

type Query = { graph(input: Record<string, unknown>): Promise<{ data: any[]; metadata?: { count?: number } }> }
type Resolver = { resolve<T = unknown>(key: string): T }

/** What the adapter reads about an order before the core decides anything (ids, status, member). */
export type OrderForLoyalty = {
  id: string
  status: string
  customer_id: string | null
  created_at: string
  currency_code: string
  /** The order total in minor units: the denominator of refund clawbacks, stored on the accrual. */
  total_minor: number
  customer: (CustomerRow & { has_account: boolean }) | null
  /** The order's facts, customer half without the loyalty figures (filled in under the account's state). */
  order_facts: OrderFacts
  /** Orders of the customer placed before this one that still stand (canceled excluded). */
  earlier_orders: number
  /**
   * Whether a refund of the order is recorded (Medusa's refund workflows add an order transaction with reference
   * "refund" for each refund of an order's payment): only then can there be refunds for an accrual to sweep.
   */
  refunded: boolean
  /**
   * Whether a capture of the order's payment is recorded (an order transaction with reference "capture"): an accrual
   * written after the capture is spendable at once under `spendable_on: "captured"` (its payment.captured came first).
   */
  captured: boolean
}

const ORDER_FIELDS = [
  "id", "status", "customer_id", "created_at", "currency_code", "region_id", "sales_channel_id",
  "item_subtotal", "discount_subtotal", "shipping_total", "tax_total", "total",
  "items.id", "items.title", "items.product_id", "items.variant_id", "items.variant_sku", "items.product_type",
  "items.product_type_id", "items.quantity", "items.unit_price", "items.subtotal", "items.discount_total", "items.total",
  "customer.id", "customer.email", "customer.has_account", "customer.created_at", "customer.groups.id",
  // Collection and tags are the product module's (line items carry only the collection's title): the read-only link.
  "items.product.id", "items.product.collection_id", "items.product.type_id", "items.product.type.value", "items.product.tags.value",
  "transactions.reference",
  // Points paid with at checkout (a credit line): goods they paid for earn nothing (withPointsPaidAsDiscount).
  "credit_lines.reference", "credit_lines.amount",
]

/**
 * Reads a v2 order with Medusa's own computed totals and maps it to the core's OrderFacts
 * (core/domain/rules/facts.ts), amounts in integer minor units, so rules read the same fields on any store. Field
 * map: subtotal = item_subtotal (items before discounts, tax excluded), discount_total = discount_subtotal (tax
 * excluded), shipping_total, tax_total, total as named; gift cards are not part of Medusa 2.21's core order, so
 * gift_card_total is 0; points paid with at checkout (the loyalty credit line) count as a discount on the lines, as
 * on v1. Product collection and tags come from the product module (line items carry only the collection's title).
 * One query.graph call for the order, its items' products and its customer (each module asked once), then the
 * count of the customer's earlier orders (earlierOrderCount).
 */
export async function loadOrderForLoyalty(scope: Resolver, order_id: string): Promise<OrderForLoyalty | null> {
  const query = scope.resolve<Query>(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order", fields: ORDER_FIELDS, filters: { id: order_id } })
  const order = data[0]
  if (!order) return null
  const decimals = currencyDecimals(order.currency_code)
  const minor = (v: unknown) => toMinorUnits(v, decimals)
  const items = (order.items ?? []).map((item: any) => lineItemFacts(item, minor))
  const created_at = new Date(order.created_at).toISOString()
  const facts: OrderFacts = {
    id: order.id,
    subtotal: minor(order.item_subtotal),
    discount_total: minor(order.discount_subtotal),
    shipping_total: minor(order.shipping_total),
    tax_total: minor(order.tax_total),
    total: minor(order.total),
    gift_card_total: 0,
    currency_code: order.currency_code,
    currency_decimals: decimals,
    region_id: order.region_id,
    sales_channel_id: order.sales_channel_id ?? null,
    items,
    created_at,
  }
  const order_facts = withPointsPaidAsDiscount(facts, pointsPaidMinor(order.credit_lines, minor))
  const c = order.customer
  const customer = c
    ? { id: c.id, email: c.email, has_account: c.has_account === true, created_at: c.created_at, group_ids: (c.groups ?? []).map((g: { id: string }) => g.id) }
    : null
  const earlier_orders = order.customer_id ? await earlierOrderCount(query, order.customer_id, order.id, created_at) : 0
  return {
    id: order.id,
    status: order.status,
    customer_id: order.customer_id ?? null,
    created_at,
    currency_code: order.currency_code,
    total_minor: order_facts.total,
    customer,
    order_facts,
    earlier_orders,
    refunded: (order.transactions ?? []).some((t: { reference?: string } | null) => t?.reference === "refund"),
    captured: (order.transactions ?? []).some((t: { reference?: string } | null) => t?.reference === "capture"),
  }
}

/**
 * Statuses of orders that do not count as the customer's orders: canceled ones no longer stand, and a draft order
 * (Medusa 2's drafts are orders in status "draft") was never placed. Earn previews count with the same filter.
 */
export const NOT_PLACED_STATUSES = ["canceled", "draft"]

/**
 * How many orders of the customer were placed before `before` (an ISO instant, millisecond precision, as v1 compares)
 * and still stand, `order_id` itself excluded. The filter runs in the order module's SQL and only ids come back, so
 * the cost stays one statement and a column of ids however long the customer's history is (reading the history
 * through the customer's orders link hydrated every one of them for each award).
 */
export async function earlierOrderCount(query: Query, customer_id: string, order_id: string, before: string): Promise<number> {
  const { data } = await query.graph({
    entity: "order",
    fields: ["id"],
    filters: { customer_id, status: { $nin: NOT_PLACED_STATUSES }, created_at: { $lt: before } },
  })
  return data.filter((o: { id: string } | null) => o && o.id !== order_id).length
}

/**
 * A v2 line item (of an order or a cart, read with the fields above) as the core's LineItemFacts, amounts in minor
 * units. Collection and tags come from the product module's record when the read joined it.
 */
export function lineItemFacts(item: any, minor: (v: unknown) => number): LineItemFacts {
  const product = item.product_id && item.product?.id === item.product_id ? item.product : undefined
  return {
    id: item.id,
    title: item.title,
    product_id: item.product_id ?? null,
    variant_id: item.variant_id ?? null,
    sku: item.variant_sku ?? null,
    collection_id: product?.collection_id ?? null,
    type: product?.type?.value ?? item.product_type ?? null,
    type_id: product?.type_id ?? item.product_type_id ?? null,
    tags: (product?.tags ?? []).map((t: { value: string }) => t.value),
    quantity: Number(item.quantity),
    unit_price: minor(item.unit_price),
    subtotal: minor(item.subtotal),
    discount_total: minor(item.discount_total),
    total: minor(item.total),
  }
}

/** What an order's or a cart's loyalty credit lines pay, in minor units (0 without points applied). */
export function pointsPaidMinor(credit_lines: Array<{ reference?: string | null; amount?: unknown } | null> | undefined, minor: (v: unknown) => number): number {
  return (credit_lines ?? [])
    .filter((l) => l?.reference === POINTS_PAYMENT_REFERENCE)
    .reduce((sum, l) => sum + minor(l!.amount), 0)
}

/** The core's AccrualFacts once the member's account figures are known (customerFacts adds them to the customer). */
export function accrualFacts(
  order: OrderForLoyalty,
  account: { points_balance: number; points_lifetime: number; tier: string | null }
): AccrualFacts {
  return {
    order: order.order_facts,
    customer: customerFacts(order.customer!, {
      orders_count: order.earlier_orders,
      points_balance: account.points_balance,
      points_lifetime: account.points_lifetime,
      tier: account.tier,
    }),
  }
}

/** Refunds of an order (oldest first) with amounts in minor units: order → payment collections → payments → refunds. */
export async function refundsOfOrder(scope: Resolver, order_id: string): Promise<Array<{ id: string; amount_minor: number; note: string | null; created_at: string }>> {
  const query = scope.resolve<Query>(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "order",
    fields: ["id", "currency_code", "payment_collections.payments.refunds.id", "payment_collections.payments.refunds.amount",
      "payment_collections.payments.refunds.note", "payment_collections.payments.refunds.created_at"],
    filters: { id: order_id },
  })
  const order = data[0]
  if (!order) return []
  const decimals = currencyDecimals(order.currency_code)
  const refunds = (order.payment_collections ?? []).flatMap((pc: any) => (pc?.payments ?? []).flatMap((p: any) => p?.refunds ?? []))
  return refunds
    .map((r: any) => ({ id: r.id, amount_minor: toMinorUnits(r.amount, decimals), note: r.note ?? null, created_at: new Date(r.created_at).toISOString() }))
    .sort((a: { created_at: string; id: string }, b: { created_at: string; id: string }) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
}

/** The order a payment belongs to (payment.refunded carries the payment id). */
export async function orderOfPayment(scope: Resolver, payment_id: string): Promise<string | null> {
  const query = scope.resolve<Query>(ContainerRegistrationKeys.QUERY)
  const { data: payments } = await query.graph({ entity: "payment", fields: ["id", "payment_collection_id"], filters: { id: payment_id } })
  const collection = payments[0]?.payment_collection_id
  if (!collection) return null
  const { data: links } = await query.graph({
    entity: "order_payment_collection",
    fields: ["order_id"],
    filters: { payment_collection_id: collection },
  })
  return links[0]?.order_id ?? null
}
