import type { LineItem, Order } from "@medusajs/medusa"
import { currencyDecimals } from "../domain/shared/currency"
import { LineItemFacts, OrderFacts } from "../domain/rules/facts"

// The customer half of the facts is platform-free: it lives in the core, shared with the v2 adapter.
export { customerFacts, type CustomerRow } from "../domain/rules/facts"

/**
 * One query for an order with exactly the relations Medusa's `decorateTotals` reads (`getTotalsRelations` minus
 * refunds, payments, swaps and claims, which only feed refundable/paid figures and returnable items) plus those
 * the facts read (variant, product, type, tags; the customer with groups for the totals' calculation context).
 * Each relation is a correlated subquery aggregated as JSON: cheap to plan (the equivalent TypeORM join of a dozen
 * tables spent more time in PostgreSQL's planner than in execution) and no entity hydration.
 * Rows keep every column under its own name (Medusa's property names are its column names); timestamps come as
 * ISO strings (no totals code reads them; `created_at` is also returned typed, for the facts); numeric columns as
 * JSON numbers (what the adjustment amount's parseFloat transformer gives). Soft-delete rules are Medusa's order
 * repository's: items and everything under them, discounts and the region are read with deleted rows, gift cards,
 * the customer and their groups without. $1 = order id.
 */
export const ORDER_FOR_FACTS_SQL = `
SELECT to_jsonb(o) AS "order", o.created_at,
  (SELECT coalesce(jsonb_agg(to_jsonb(li) || jsonb_build_object(
       'tax_lines', (SELECT coalesce(jsonb_agg(to_jsonb(t)), '[]') FROM line_item_tax_line t WHERE t.item_id = li.id),
       'adjustments', (SELECT coalesce(jsonb_agg(to_jsonb(a)), '[]') FROM line_item_adjustment a WHERE a.item_id = li.id),
       'variant', (SELECT to_jsonb(v) || jsonb_build_object('product', (
           SELECT to_jsonb(p) || jsonb_build_object(
             'type', (SELECT to_jsonb(pt) FROM product_type pt WHERE pt.id = p.type_id),
             'tags', (SELECT coalesce(jsonb_agg(to_jsonb(tg)), '[]') FROM product_tags ptg
                        JOIN product_tag tg ON tg.id = ptg.product_tag_id WHERE ptg.product_id = p.id))
           FROM product p WHERE p.id = v.product_id))
         FROM product_variant v WHERE v.id = li.variant_id))), '[]')
     FROM line_item li WHERE li.order_id = o.id) AS items,
  (SELECT coalesce(jsonb_agg(to_jsonb(d) || jsonb_build_object(
       'rule', (SELECT to_jsonb(r) FROM discount_rule r WHERE r.id = d.rule_id))), '[]')
     FROM order_discounts od JOIN discount d ON d.id = od.discount_id WHERE od.order_id = o.id) AS discounts,
  (SELECT to_jsonb(rg) FROM region rg WHERE rg.id = o.region_id) AS region,
  (SELECT coalesce(jsonb_agg(to_jsonb(sm) || jsonb_build_object(
       'tax_lines', (SELECT coalesce(jsonb_agg(to_jsonb(t)), '[]') FROM shipping_method_tax_line t WHERE t.shipping_method_id = sm.id))), '[]')
     FROM shipping_method sm WHERE sm.order_id = o.id) AS shipping_methods,
  (SELECT coalesce(jsonb_agg(to_jsonb(gc)), '[]')
     FROM order_gift_cards ogc JOIN gift_card gc ON gc.id = ogc.gift_card_id AND gc.deleted_at IS NULL
    WHERE ogc.order_id = o.id) AS gift_cards,
  (SELECT coalesce(jsonb_agg(to_jsonb(gct)), '[]') FROM gift_card_transaction gct WHERE gct.order_id = o.id) AS gift_card_transactions,
  (SELECT (to_jsonb(c) - 'password_hash') || jsonb_build_object('groups', (
       SELECT coalesce(jsonb_agg(to_jsonb(g)), '[]') FROM customer_group_customers cgc
         JOIN customer_group g ON g.id = cgc.customer_group_id AND g.deleted_at IS NULL
        WHERE cgc.customer_id = c.id))
     FROM customer c WHERE c.id = o.customer_id AND c.deleted_at IS NULL) AS customer
FROM "order" o WHERE o.id = $1`

/** The order object of a row of ORDER_FOR_FACTS_SQL, ready for Medusa's `decorateTotals`. */
export function orderOfRow(row: Record<string, any>): Order {
  return Object.assign(row.order, {
    created_at: row.created_at,
    items: row.items,
    discounts: row.discounts,
    region: row.region,
    shipping_methods: row.shipping_methods,
    gift_cards: row.gift_cards,
    gift_card_transactions: row.gift_card_transactions,
    customer: row.customer ?? null,
  }) as Order
}

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

// Medusa's totals are integers already; a missing total (e.g. an order without gift cards) counts as 0.
function int(value: number | null | undefined): number {
  return Math.round(value ?? 0)
}
