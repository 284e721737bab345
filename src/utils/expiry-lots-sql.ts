import type { EntityManager } from "typeorm"
import type { Movement } from "../domain/ledger/expiry"

/**
 * The member's open credit lots for the expiry rules (domain/ledger/expiry.ts), computed in SQL so that only they leave
 * the database, not the member's whole history. A LATERAL join over the entries of `customer` (an SQL expression),
 * giving OPEN_LOTS_COLUMNS; served by the (customer_id, created_at) INCLUDE (kind, points, seq) index.
 *
 * Why it is exact: when every credit (points > 0) is dated no earlier than the credits posted before it, the
 * domain's lots form a queue in posting order (each new lot goes last; debits and deficits consume from the
 * front), so what is left open is the newest credits that add up to the balance (Σ points of all entries), the
 * oldest of them partly. The columns give those lots oldest first, and `lots_in_order` says whether the condition
 * held; when it did not (a credit dated before an earlier-posted one), `lotMovements` answers null and callers
 * replay every movement (`allMovements`), as the domain always did.
 */
export function openLotsJoin(customer: string): string {
  return `LEFT JOIN LATERAL (
    SELECT coalesce(bool_and(m.created_at >= m.latest_credit_before OR m.latest_credit_before IS NULL)
                      FILTER (WHERE m.points > 0), true) AS lots_in_order,
           coalesce(array_agg(LEAST(m.points, m.balance - (m.credits_from_here - m.points))::int ORDER BY m.seq)
                      FILTER (WHERE m.points > 0 AND m.credits_from_here - m.points < m.balance), '{}') AS lot_points,
           coalesce(array_agg(m.created_at ORDER BY m.seq)
                      FILTER (WHERE m.points > 0 AND m.credits_from_here - m.points < m.balance), '{}') AS lot_created_at
      FROM (SELECT e.points, e.created_at, e.seq,
                   sum(e.points) OVER () AS balance,
                   max(e.created_at) FILTER (WHERE e.points > 0)
                     OVER (ORDER BY e.seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest_credit_before,
                   sum(e.points) FILTER (WHERE e.points > 0) OVER (ORDER BY e.seq DESC ROWS UNBOUNDED PRECEDING) AS credits_from_here
              FROM loyalty_ledger_entry e WHERE e.customer_id = ${customer}) m
  ) lots ON true`
}

/** The columns openLotsJoin adds: whether the lots are exact, then the lots' points and dates, oldest first. */
export const OPEN_LOTS_COLUMNS = "lots.lots_in_order, lots.lot_points, lots.lot_created_at"

/**
 * The open lots of a row with OPEN_LOTS_COLUMNS as credit movements, oldest first: FIFO over them leaves exactly
 * the lots FIFO over the whole history leaves. null when the lots could not be computed in SQL (see above).
 */
export function lotMovements(row: { lots_in_order: boolean; lot_points: number[]; lot_created_at: Date[] }): Movement[] | null {
  if (!row.lots_in_order) return null
  return row.lot_points.map((points, i) => ({ points, kind: "lot", created_at: row.lot_created_at[i] }))
}

/** Every available-balance movement of the customer, in append order (the fallback of `lotMovements`). */
export async function allMovements(manager: EntityManager, customer_id: string): Promise<Movement[]> {
  const rows: { points: number; kind: string; created_at: Date }[] = await manager.query(
    `SELECT points, kind, created_at FROM loyalty_ledger_entry WHERE customer_id = $1 ORDER BY seq`,
    [customer_id]
  )
  return rows
}

/** The movements FIFO needs for the customer: their open lots (one query), or all movements when those are not exact. */
export async function expiryMovements(manager: EntityManager, customer_id: string): Promise<Movement[]> {
  const [row] = await manager.query(`SELECT ${OPEN_LOTS_COLUMNS} FROM (SELECT $1::text AS customer_id) k ${openLotsJoin("k.customer_id")}`, [
    customer_id,
  ])
  return lotMovements(row) ?? (await allMovements(manager, customer_id))
}
