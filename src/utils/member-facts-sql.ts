import type { MemberFacts } from "../domain/rules/facts"

/**
 * The member-fact columns computed in SQL (groups, orders, 365-day points and spend), shared by the tier service
 * (one member) and the backtest (many), so both read the same figures. `customer` is the SQL expression of the
 * customer id; the query passes $2 = window start, $3 = now, $4 = the lifetime entry kinds. The window's points are
 * float8, not int: a sum of integer entries can pass the integer range (and float8 reads back as a JS number).
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
       WHERE e.customer_id = ${customer} AND e.kind = ANY($4) AND e.created_at > $2 AND e.created_at <= $3)::float8 AS points_window,
    (SELECT COALESCE(SUM(li.unit_price * li.quantity
              - COALESCE((SELECT SUM(adj.amount) FROM line_item_adjustment adj WHERE adj.item_id = li.id), 0)), 0)
       FROM line_item li JOIN "order" o ON o.id = li.order_id
       WHERE o.customer_id = ${customer} AND o.status <> 'canceled' AND o.created_at > $2 AND o.created_at <= $3
         AND o.currency_code = (SELECT default_currency_code FROM store LIMIT 1))::bigint AS spend_window`
}


/**
 * The same member-fact columns over a Medusa v2 store's tables (the CLI's backtest against a v2 database; the v2
 * plugin itself reads these figures through Medusa's Query, see v2/src/workflows/members/member-facts.ts). Parameters as
 * memberFactColumns plus $5 = the store's default currency code and $6 = 10^its decimals: v2 keeps amounts in major
 * units as numeric, so the window's spend is scaled to minor units and rounded once. Orders: not canceled, not draft,
 * not deleted; items and adjustments of the order's current version; spend = Σ(unit_price × quantity − the item's adjustments).
 */
export function memberFactColumnsV2(customer: string): string {
  return `
    ARRAY(SELECT cgc.customer_group_id FROM customer_group_customer cgc
          JOIN customer_group g ON g.id = cgc.customer_group_id AND g.deleted_at IS NULL
          WHERE cgc.customer_id = ${customer} AND cgc.deleted_at IS NULL ORDER BY 1) AS group_ids,
    (SELECT count(*) FROM "order" o WHERE o.customer_id = ${customer} AND o.status <> 'canceled'
        AND o.is_draft_order = false AND o.deleted_at IS NULL)::int AS orders_count,
    (SELECT COALESCE(SUM(e.points), 0) FROM loyalty_ledger_entry e
       WHERE e.customer_id = ${customer} AND e.kind = ANY($4) AND e.created_at > $2 AND e.created_at <= $3)::float8 AS points_window,
    (SELECT ROUND(COALESCE(SUM(li.unit_price * oi.quantity
              - COALESCE((SELECT SUM(adj.amount) FROM order_line_item_adjustment adj WHERE adj.item_id = li.id AND adj.version = o.version), 0)), 0) * $6)
       FROM "order" o
       JOIN order_item oi ON oi.order_id = o.id AND oi.version = o.version AND oi.deleted_at IS NULL
       JOIN order_line_item li ON li.id = oi.item_id AND li.deleted_at IS NULL
       WHERE o.customer_id = ${customer} AND o.status <> 'canceled' AND o.is_draft_order = false AND o.deleted_at IS NULL
         AND o.created_at > $2 AND o.created_at <= $3 AND o.currency_code = $5)::bigint AS spend_window`
}

/**
 * FROM clause for one member's facts and account figures in one query: $1 is the customer id. The customer is
 * LEFT JOINed: an account without a customer row reads as no groups, no orders, no window figures (what a missing
 * customer row always gave), and the account figures are zero without an account.
 */
export const ONE_MEMBER_FROM = `FROM (SELECT $1::text AS customer_id) k
       LEFT JOIN loyalty_account a ON a.customer_id = k.customer_id
       LEFT JOIN customer c ON c.id = k.customer_id`

/**
 * The account columns member facts read, for a SELECT over ONE_MEMBER_FROM (with memberFactColumns("c.id")).
 * `points_lifetime` is bigint and pg hands int8 back as a string: float8 comes back as a number, exact below 2^53.
 */
export const ONE_MEMBER_COLUMNS = `a.points_lifetime::float8 AS points_lifetime, a.points_balance, a.tier, a.created_at AS account_created_at, c.created_at AS customer_created_at`

/**
 * Maps a row of ONE_MEMBER_COLUMNS + memberFactColumns (or any row with those column names) to member facts; null
 * columns read as zero / empty.
 */
export function memberFactsOfRow(customer_id: string, row: Record<string, any> | undefined, now: Date): MemberFacts {
  return {
    customer_id,
    points_lifetime: row?.points_lifetime ?? 0,
    points_balance: row?.points_balance ?? 0,
    tier: row?.tier ?? null,
    orders_count: row?.orders_count ?? 0,
    points_last_365d: row?.points_window ?? 0,
    spend_last_365d_minor: Number(row?.spend_window ?? 0),
    group_ids: row?.group_ids ?? [],
    created_at: new Date(row?.customer_created_at ?? row?.account_created_at ?? now).toISOString(),
  }
}
