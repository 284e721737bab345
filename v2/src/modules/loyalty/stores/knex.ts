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
