/**
 * The database handle the stores run on, taken from the module's shared context: the transaction of a write, or the
 * pool (or the caller's transaction) for a read.
 */
import type { Context } from "@medusajs/framework/types"
import { generateEntityId } from "@medusajs/framework/utils"
import { LoyaltyError, LoyaltyErrorCodes } from "../../../core/domain/shared/errors"

/** What the stores use of knex: raw SQL with `?` bindings; pg answers `{ rows }`. */
export type Knex = { raw(sql: string, bindings?: unknown[]): Promise<{ rows: any[] }> }

/** The transaction of a write (@InjectTransactionManager). */
export function transactionOf(sharedContext: Context): Knex {
  const manager = sharedContext.transactionManager as { getTransactionContext?: () => Knex } | undefined
  const knex = manager?.getTransactionContext?.()
  if (!knex) {
    // A FOR UPDATE on an autocommit connection would release the lock at once: refuse rather than not serialize.
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, "loyalty ledger writes must run inside a transaction")
  }
  return knex
}

/** For reads (@InjectManager): the caller's transaction when there is one, else the module's connection pool (autocommit). */
export function readerOf(sharedContext: Context): Knex {
  const manager = (sharedContext.transactionManager ?? sharedContext.manager) as { getTransactionContext?: () => Knex | undefined; getKnex?: () => Knex }
  const knex = manager?.getTransactionContext?.() ?? manager?.getKnex?.()
  if (!knex) throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, "no database manager in the loyalty module's context")
  return knex
}

export function newId(prefix: string): string {
  return generateEntityId(undefined, prefix)
}

/** A page request of the admin and store lists. */
export type Page = { limit: number; offset: number }

/**
 * Plain statements sent together in one round trip (the simple query protocol: no bindings, so every value in them
 * is a literal, see idLiteral); answers each statement's rows, in order. Each statement still runs on its own
 * snapshot, taken when it starts.
 */
export async function rowsOfStatements(knex: Knex, statements: string[]): Promise<any[][]> {
  const answer: unknown = await knex.raw(statements.join(";\n"))
  return (Array.isArray(answer) ? answer : [answer]).map((r: { rows: any[] }) => r.rows)
}

/** Identifier characters only: such a value needs no escaping as an SQL literal (and holds no knex placeholder). */
const ID_CHARACTERS = /^[A-Za-z0-9_:.-]*$/

/** `value` as an SQL string literal when it holds identifier characters only (ids, idempotency keys), else null. */
export function idLiteral(value: string): string | null {
  return ID_CHARACTERS.test(value) ? `'${value}'` : null
}

/** The module's connection pool, as knex exposes it (the manager's getKnex()). */
export type PoolKnex = {
  raw(sql: string, bindings?: unknown[]): { toSQL(): unknown }
  client: {
    acquireConnection(): Promise<any>
    releaseConnection(connection: unknown): Promise<void>
    query(connection: unknown, query: unknown): Promise<{ response: any }>
  }
}

/**
 * Runs `work` in a transaction of its own on one pooled connection whose BEGIN travels with the first statement
 * when that statement has no bindings (rowsOfStatements): one round trip fewer than a transaction the module's
 * manager opens. Commits when `work` resolves, rolls back when it throws; the connection goes back to the pool either
 * way, marked for disposal when even the rollback failed.
 */
export async function inOwnTransaction<T>(pool: PoolKnex, work: (trx: Knex) => Promise<T>): Promise<T> {
  const connection = await pool.client.acquireConnection()
  const send = async (sql: string, bindings?: unknown[]) => (await pool.client.query(connection, pool.raw(sql, bindings).toSQL())).response
  let begun = false
  const trx: Knex = {
    raw: async (sql, bindings) => {
      if (begun) return await send(sql, bindings)
      begun = true
      if (bindings?.length) {
        await send("BEGIN")
        return await send(sql, bindings)
      }
      const [, ...answers] = await send(`BEGIN;\n${sql}`)
      return answers.length === 1 ? answers[0] : answers
    },
  }
  try {
    const result = await work(trx)
    if (begun) await send("COMMIT")
    return result
  } catch (e) {
    if (begun) await send("ROLLBACK").catch((failed) => (connection.__knex__disposed = failed))
    throw e
  } finally {
    await pool.client.releaseConnection(connection)
  }
}
