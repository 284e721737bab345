/** loyalty_account: one row per member with the cached balances and the tier (moved only under the row lock). */
import type { AccountState } from "../../../core/domain/ledger/ledger"
import type { Knex, Page } from "./knex"
import { newId } from "./knex"
import type { MemberWindow } from "./ledger"

export type AccountRow = {
  id: string
  customer_id: string
  points_balance: number
  points_lifetime: number
  points_pending: number
  tier: string | null
  tier_below_since: Date | null
  created_at: Date
  updated_at: Date
}

/**
 * An account row as read: points_lifetime is bigint, which pg returns as a string (exact: the core's planPosting
 * keeps it below 2^53).
 */
export function accountRow(row: any): AccountRow {
  return { ...row, points_lifetime: Number(row.points_lifetime) }
}

/** Opens the account of `customer_id` with no points and no tier; null when it exists already (nothing written). */
export async function insertAccount(knex: Knex, customer_id: string): Promise<AccountRow | null> {
  const { rows } = await knex.raw(
    `INSERT INTO loyalty_account (id, customer_id, points_balance, points_lifetime, points_pending, tier)
     VALUES (?, ?, 0, 0, 0, NULL) ON CONFLICT (customer_id) WHERE deleted_at IS NULL DO NOTHING RETURNING *`,
    [newId("lacc"), customer_id]
  )
  return rows[0] ? accountRow(rows[0]) : null
}

export async function findAccount(knex: Knex, customer_id: string): Promise<AccountRow | null> {
  const { rows } = await knex.raw(`SELECT * FROM loyalty_account WHERE customer_id = ?`, [customer_id])
  return rows[0] ? accountRow(rows[0]) : null
}

/** The account row lock's statement; `customer` is `?` (bound) or an SQL literal (ledger.ts lockAccountWithEntries). */
export const lockAccountSql = (customer: string): string => `SELECT * FROM loyalty_account WHERE customer_id = ${customer} FOR UPDATE`

/** The account under its row lock (SELECT … FOR UPDATE), held until the transaction ends; null when there is none. */
export async function lockAccount(knex: Knex, customer_id: string): Promise<AccountRow | null> {
  const { rows } = await knex.raw(lockAccountSql("?"), [customer_id])
  return rows[0] ? accountRow(rows[0]) : null
}

/** The cached balances after a posting (the core's planPosting decided them). */
export async function storeBalances(knex: Knex, account_id: string, next: AccountState): Promise<AccountRow> {
  const { rows } = await knex.raw(
    `UPDATE loyalty_account SET points_balance = ?, points_pending = ?, points_lifetime = ?, updated_at = now()
      WHERE id = ? RETURNING *`,
    [next.points_balance, next.points_pending, next.points_lifetime, account_id]
  )
  return accountRow(rows[0])
}

/** The tier and the start of its grace period, as the core's recomputeTier decided them. */
export async function storeTier(knex: Knex, account_id: string, tier: string | null, below_since: Date | null): Promise<AccountRow> {
  const { rows } = await knex.raw(`UPDATE loyalty_account SET tier = ?, tier_below_since = ?, updated_at = now() WHERE id = ? RETURNING *`, [
    tier,
    below_since,
    account_id,
  ])
  return accountRow(rows[0])
}

/** The account and the points of its member window (the lifetime kinds' entries in `window`), in ONE statement. */
export async function accountWithWindowPoints(knex: Knex, customer_id: string, window: MemberWindow): Promise<{ account: AccountRow; window_points: number } | null> {
  const { rows } = await knex.raw(
    `SELECT a.*,
            (SELECT COALESCE(SUM(e.points), 0)::float8 FROM loyalty_ledger_entry e
              WHERE e.customer_id = a.customer_id AND e.kind = ANY(?) AND e.created_at > ? AND e.created_at <= ?) AS points_last_365d
       FROM loyalty_account a WHERE a.customer_id = ?`,
    [window.kinds, window.after, window.until, customer_id]
  )
  if (!rows[0]) return null
  const { points_last_365d, ...row } = rows[0]
  return { account: accountRow(row), window_points: Number(points_last_365d) }
}

/** Customer ids of accounts after `after` (keyset page, ascending); `positive_balance` keeps those with points to expire. */
export async function accountIdsPage(knex: Knex, page: { after: string; limit: number; positive_balance?: boolean }): Promise<string[]> {
  const { rows } = await knex.raw(
    `SELECT customer_id FROM loyalty_account WHERE customer_id > ? ${page.positive_balance ? "AND points_balance > 0" : ""}
      ORDER BY customer_id LIMIT ?`,
    [page.after, page.limit]
  )
  return rows.map((r: { customer_id: string }) => r.customer_id)
}

export async function memberIds(knex: Knex): Promise<string[]> {
  const { rows } = await knex.raw(`SELECT customer_id FROM loyalty_account ORDER BY customer_id`)
  return rows.map((r: { customer_id: string }) => r.customer_id)
}

/** What the admin's account list filters on: `q` within customer ids (or the given `customer_ids`), the tier. */
export type AccountListFilter = { customer_ids?: string[]; q?: string; tier?: string }

/** Accounts newest first, and their count. */
export async function pageAccounts(knex: Knex, filter: AccountListFilter, page: Page): Promise<[AccountRow[], number]> {
  const where: string[] = ["TRUE"]
  const bindings: unknown[] = []
  if (filter.q !== undefined) {
    where.push(`(customer_id ILIKE ? ${filter.customer_ids?.length ? `OR customer_id = ANY(?)` : ""})`)
    bindings.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    if (filter.customer_ids?.length) bindings.push(filter.customer_ids)
  }
  if (filter.tier !== undefined) {
    where.push(`tier = ?`)
    bindings.push(filter.tier)
  }
  const clause = where.join(" AND ")
  const { rows } = await knex.raw(`SELECT * FROM loyalty_account WHERE ${clause} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, [
    ...bindings,
    page.limit,
    page.offset,
  ])
  const { rows: counted } = await knex.raw(`SELECT count(*)::int AS n FROM loyalty_account WHERE ${clause}`, bindings)
  return [rows.map(accountRow), counted[0].n]
}

/** Accounts per tier code. */
export async function membersPerTier(knex: Knex): Promise<Map<string, number>> {
  const { rows } = await knex.raw(`SELECT tier, count(*)::int AS n FROM loyalty_account WHERE tier IS NOT NULL AND deleted_at IS NULL GROUP BY tier`)
  return new Map(rows.map((r: { tier: string; n: number }) => [r.tier, r.n]))
}

/**
 * Takes the member's group-sync lock for the rest of the transaction (an advisory lock, released when it ends, also
 * on a crash); false when another transaction holds it.
 */
export async function tryMemberSyncLock(knex: Knex, customer_id: string): Promise<boolean> {
  const { rows } = await knex.raw(`SELECT pg_try_advisory_xact_lock(hashtext('loyalty-member-sync'), hashtext(?)) AS locked`, [customer_id])
  return rows[0]?.locked === true
}
