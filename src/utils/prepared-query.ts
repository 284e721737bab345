import type { EntityManager } from "typeorm"

/**
 * Runs `text` in `manager`'s transaction as a named prepared statement: PostgreSQL parses and plans it once per
 * connection instead of on every call (for the ledger's append, planning cost more than the insert itself). It
 * still goes through TypeORM's query (node-postgres takes a query config where TypeORM passes the text through), so
 * TypeORM's transaction, logging and error wrapping (QueryFailedError) stay as for any query.
 * Rules for `text`: one fixed text per `name` (node-postgres refuses a second text under a name a connection has
 * prepared), and result columns listed by name, never `*` (a prepared plan fails with "cached plan must not change
 * result type" once a table it returns every column of gains one). Needs session-level prepared statements: behind
 * a transaction-mode pooler, one that tracks them (PgBouncer 1.21+ with max_prepared_statements).
 */
export async function preparedQuery<Row>(manager: EntityManager, name: string, text: string, params: unknown[]): Promise<Row[]> {
  // A fresh config per call: node-postgres stores the values on it.
  const config = { name, text } as unknown as string
  return await manager.query(config, params)
}
