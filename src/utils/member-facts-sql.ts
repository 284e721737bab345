/**
 * The member-fact columns computed in SQL (groups, orders, 365-day points and spend), shared by the tier service
 * (one member) and the backtest (many), so both read the same figures. `customer` is the SQL expression of the
 * customer id; the query passes $2 = window start, $3 = now, $4 = the lifetime entry kinds.
 * Spend: Σ(unit_price × quantity − line-item adjustments) of non-canceled orders in the store's default currency
 * (Medusa v1 stores no order totals).
 */
export function memberFactColumns(customer: string): string {
  return `
    ARRAY(SELECT cgc.customer_group_id FROM customer_group_customers cgc
          JOIN customer_group g ON g.id = cgc.customer_group_id AND g.deleted_at IS NULL
          WHERE cgc.customer_id = ${customer} ORDER BY 1) AS group_ids,
    (SELECT count(*) FROM "order" o WHERE o.customer_id = ${customer} AND o.status <> 'canceled')::int AS orders_count,
    (SELECT COALESCE(SUM(e.points), 0) FROM loyalty_ledger_entry e
       WHERE e.customer_id = ${customer} AND e.kind = ANY($4) AND e.created_at > $2 AND e.created_at <= $3)::int AS points_window,
    (SELECT COALESCE(SUM(li.unit_price * li.quantity
              - COALESCE((SELECT SUM(adj.amount) FROM line_item_adjustment adj WHERE adj.item_id = li.id), 0)), 0)
       FROM line_item li JOIN "order" o ON o.id = li.order_id
       WHERE o.customer_id = ${customer} AND o.status <> 'canceled' AND o.created_at > $2 AND o.created_at <= $3
         AND o.currency_code = (SELECT default_currency_code FROM store LIMIT 1))::bigint AS spend_window`
}
