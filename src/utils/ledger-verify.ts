import type { MedusaSchema } from "./medusa-schema"
import { duplicateKeyProblems, redemptionProblems, VerifyAccountRow, VerifyAccumulator, VerifyEntryRow, VerifyReport } from "../domain/ledger/verify"

/** Runs one SQL statement and returns its rows: a TypeORM `manager.query` or a pg `client.query(...).rows`. */
export type RowQuery = (sql: string, params?: unknown[]) => Promise<any[]>

/**
 * Reads the ledger account by account (keyset pages, each account's entries in seq order) and checks it with the
 * pure rules of domain/ledger/verify.ts. Plain SQL only, so the CLI can run it with a bare pg connection, no Medusa boot.
 * Memory: one page of accounts and their entries at a time.
 */
export async function verifyLedger(query: RowQuery, pageSize = 500, { schema = "v1" }: { schema?: MedusaSchema } = {}): Promise<VerifyReport> {
  const acc = new VerifyAccumulator()
  let after = ""
  for (;;) {
    // points_lifetime is bigint: float8 reads back as a number (exact below 2^53), not pg's string for int8.
    const accounts: Array<VerifyAccountRow & { id: string }> = await query(
      `SELECT id, customer_id, points_balance, points_pending, points_lifetime::float8 AS points_lifetime
         FROM loyalty_account WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, pageSize]
    )
    if (accounts.length === 0) break
    const rows: Array<VerifyEntryRow & { account_id: string }> = await query(
      `SELECT id, account_id, customer_id, kind, points, balance_after, pending_delta, pending_after
         FROM loyalty_ledger_entry WHERE account_id = ANY($1) ORDER BY account_id, seq`,
      [accounts.map((a) => a.id)]
    )
    const byAccount = new Map<string, VerifyEntryRow[]>()
    for (const row of rows) {
      const list = byAccount.get(row.account_id) ?? []
      list.push(row)
      byAccount.set(row.account_id, list)
    }
    for (const account of accounts) acc.addAccount(account, byAccount.get(account.id) ?? [])
    after = accounts[accounts.length - 1].id
  }
  const duplicated = await query(
    `SELECT id, customer_id, idempotency_key FROM loyalty_ledger_entry
      WHERE idempotency_key IN (SELECT idempotency_key FROM loyalty_ledger_entry GROUP BY idempotency_key HAVING count(*) > 1)
      ORDER BY seq`
  )
  acc.addProblems(duplicateKeyProblems(duplicated))
  // A Medusa v2 store: the v2 plugin has no redemptions yet (same account and ledger tables otherwise).
  if (schema === "v2") return acc.report()
  // Only codes some order used (the join): bounded by the orders that carried a loyalty code.
  const used = await query(
    `SELECT r.id AS redemption_id, r.customer_id, r.status, array_agg(DISTINCT od.order_id) AS order_ids
       FROM loyalty_redemption r JOIN order_discounts od ON od.discount_id = r.discount_id
      GROUP BY r.id ORDER BY r.id`
  )
  acc.addProblems(redemptionProblems(used))
  return acc.report()
}
