/** loyalty_ledger_entry: the append-only ledger (a trigger refuses UPDATE and DELETE). */
import { LIFETIME_KINDS, payloadHash, type EntryDraft, type Posting } from "../../../core/domain/ledger/ledger"
import type { OrderEntry } from "../../../core/domain/ledger/order-ledger"
import type { VerifyAccountRow, VerifyEntryRow } from "../../../core/domain/ledger/verify"
import { MEMBER_WINDOW_DAYS } from "../../../core/domain/rules/facts"
import { DAY_MS } from "../../../core/domain/shared/time"
import type { Knex, Page } from "./knex"
import { idLiteral, newId, rowsOfStatements } from "./knex"
import { accountRow, lockAccount, lockAccountSql, type AccountRow } from "./accounts"
import type { StoredRulebook } from "./rulebooks"

export type EntryRow = OrderEntry & {
  id: string
  seq: number
  account_id: string
  customer_id: string
  kind: string
  balance_after: number
  pending_after: number
  order_id: string | null
  source_id: string | null
  rule_names: string[]
  rulebook_version: string | null
  reason: string | null
  actor_id: string | null
  idempotency_key: string
  payload_hash: string
  created_at: Date
}

/** An order with pending points left, as the ledger knows it (the activation job adds the order's side). */
export type PendingOrderRow = { order_id: string; customer_id: string; pending_days: number | null; spendable_on: string | null }

/** The member facts' window: entries of the lifetime kinds created in (after, until]. */
export type MemberWindow = { kinds: string[]; after: Date; until: Date }

/** The window of member facts as of `now`: the last MEMBER_WINDOW_DAYS days. */
export function memberWindow(now: Date): MemberWindow {
  return { kinds: [...LIFETIME_KINDS], after: new Date(now.getTime() - MEMBER_WINDOW_DAYS * DAY_MS), until: now }
}

/** The points of a member's entries in `window` (points_last_365d). */
export async function windowPoints(knex: Knex, customer_id: string, window: MemberWindow): Promise<number> {
  const { rows } = await knex.raw(
    `SELECT COALESCE(SUM(points), 0)::float8 AS n FROM loyalty_ledger_entry
      WHERE customer_id = ? AND kind = ANY(?) AND created_at > ? AND created_at <= ?`,
    [customer_id, window.kinds, window.after, window.until]
  )
  return Number(rows[0]?.n ?? 0)
}

/** Appends `draft` as posted (points and balances after the floor) to `account`. */
export async function appendEntry(knex: Knex, account: { id: string }, draft: EntryDraft, posting: Posting): Promise<EntryRow> {
  const { rows } = await knex.raw(
    `INSERT INTO loyalty_ledger_entry (id, account_id, customer_id, kind, points, balance_after, pending_delta,
       pending_after, order_id, source_id, rule_names, rulebook_version, reason, actor_id, idempotency_key,
       payload_hash, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?::jsonb) RETURNING *`,
    [
      newId("lent"), account.id, draft.customer_id, draft.kind, posting.points, posting.balance_after,
      posting.pending_delta, posting.pending_after, draft.order_id ?? null, draft.source_id ?? null,
      JSON.stringify(draft.rule_names ?? []), draft.rulebook_version ?? null, draft.reason ?? null,
      draft.actor_id ?? null, draft.idempotency_key, payloadHash(draft), JSON.stringify(draft.details ?? {}),
    ]
  )
  return rows[0]
}

/** The columns of loyalty_account a posting answers (its row as stored after the balances moved). */
const ACCOUNT_COLUMNS = ["id", "customer_id", "points_balance", "points_lifetime", "points_pending", "tier", "tier_below_since", "created_at", "updated_at", "deleted_at"]

/**
 * Appends `draft` as posted to `account` and moves the account's cached balances to `posting.next` in ONE statement
 * (two data-modifying CTEs: the entry and its balance move commit or fail together, one round trip instead of two);
 * `rulebook`, when given, is stored in the same statement unless its version is stored already (an entry names the
 * version it was decided under: explain reads its files back). Answers both rows as stored.
 */
export async function appendEntryMovingBalances(
  knex: Knex,
  account: { id: string },
  draft: EntryDraft,
  posting: Posting,
  rulebook: StoredRulebook | null = null
): Promise<{ entry: EntryRow; account: AccountRow }> {
  const remember = rulebook
    ? `, r AS (INSERT INTO loyalty_rulebook (id, version, files, loaded_at) VALUES (?, ?, ?::jsonb, ?)
         ON CONFLICT (version) WHERE deleted_at IS NULL DO NOTHING)`
    : ""
  const { rows } = await knex.raw(
    `WITH e AS (
       INSERT INTO loyalty_ledger_entry (id, account_id, customer_id, kind, points, balance_after, pending_delta,
         pending_after, order_id, source_id, rule_names, rulebook_version, reason, actor_id, idempotency_key,
         payload_hash, details)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?::jsonb) RETURNING *),
     a AS (
       UPDATE loyalty_account SET points_balance = ?, points_pending = ?, points_lifetime = ?, updated_at = now()
        WHERE id = ? RETURNING ${ACCOUNT_COLUMNS.join(", ")})${remember}
     SELECT e.*, ${ACCOUNT_COLUMNS.map((c) => `a.${c} AS "account.${c}"`).join(", ")} FROM e, a`,
    [
      newId("lent"), account.id, draft.customer_id, draft.kind, posting.points, posting.balance_after,
      posting.pending_delta, posting.pending_after, draft.order_id ?? null, draft.source_id ?? null,
      JSON.stringify(draft.rule_names ?? []), draft.rulebook_version ?? null, draft.reason ?? null,
      draft.actor_id ?? null, draft.idempotency_key, payloadHash(draft), JSON.stringify(draft.details ?? {}),
      posting.next.points_balance, posting.next.points_pending, posting.next.points_lifetime, account.id,
      ...(rulebook ? [newId("lrb"), rulebook.version, JSON.stringify(rulebook.files), rulebook.loaded_at] : []),
    ]
  )
  const entry: Record<string, any> = {}
  const moved: Record<string, any> = {}
  for (const [k, v] of Object.entries(rows[0])) {
    if (k.startsWith("account.")) moved[k.slice("account.".length)] = v
    else entry[k] = v
  }
  return { entry: entry as unknown as EntryRow, account: accountRow(moved) }
}

/** entriesByKeyOrOrder's statement; `key` and `order` are `?` (bound) or SQL literals (lockAccountWithEntries). */
const entriesByKeyOrOrderSql = (key: string, order: string): string =>
  `SELECT * FROM loyalty_ledger_entry WHERE idempotency_key = ${key} OR (order_id IS NOT NULL AND order_id = ${order}) ORDER BY seq`

/** Entries stored under `idempotency_key`, plus every entry of `order_id` when one is given, in append order. */
export async function entriesByKeyOrOrder(knex: Knex, idempotency_key: string, order_id: string | null): Promise<EntryRow[]> {
  const { rows } = await knex.raw(entriesByKeyOrOrderSql("?", "?"), [idempotency_key, order_id])
  return rows
}

/**
 * The account under its row lock and entriesByKeyOrOrder, as two statements in one round trip (rowsOfStatements):
 * the read is a statement of its own that starts once the lock is held, so it sees every entry committed by the
 * lock's earlier holders (one statement that waited for the lock would keep its older snapshot). Null when there is
 * no account. Values that are not plain ids are bound instead, in two round trips.
 */
export async function lockAccountWithEntries(
  knex: Knex,
  customer_id: string,
  idempotency_key: string,
  order_id: string | null
): Promise<{ account: AccountRow; entries: EntryRow[] } | null> {
  const [customer, key, order] = [idLiteral(customer_id), idLiteral(idempotency_key), order_id === null ? "NULL" : idLiteral(order_id)]
  if (customer === null || key === null || order === null) {
    const account = await lockAccount(knex, customer_id)
    return account ? { account, entries: await entriesByKeyOrOrder(knex, idempotency_key, order_id) } : null
  }
  const [locked, entries] = await rowsOfStatements(knex, [lockAccountSql(customer), entriesByKeyOrOrderSql(key, order)])
  return locked[0] ? { account: accountRow(locked[0]), entries } : null
}

/** Every entry of an account in append order. */
export async function accountEntries(knex: Knex, account_id: string): Promise<EntryRow[]> {
  const { rows } = await knex.raw(`SELECT * FROM loyalty_ledger_entry WHERE account_id = ? ORDER BY seq`, [account_id])
  return rows
}

export async function findEntry(knex: Knex, id: string): Promise<EntryRow | null> {
  const { rows } = await knex.raw(`SELECT * FROM loyalty_ledger_entry WHERE id = ?`, [id])
  return rows[0] ?? null
}

export async function findEntryByKey(knex: Knex, idempotency_key: string): Promise<EntryRow | null> {
  const { rows } = await knex.raw(`SELECT * FROM loyalty_ledger_entry WHERE idempotency_key = ?`, [idempotency_key])
  return rows[0] ?? null
}

/** A customer's entries, newest first, and their count. */
export async function pageEntries(knex: Knex, customer_id: string, page: Page): Promise<[EntryRow[], number]> {
  const { rows } = await knex.raw(`SELECT * FROM loyalty_ledger_entry WHERE customer_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?`, [
    customer_id,
    page.limit,
    page.offset,
  ])
  const { rows: counted } = await knex.raw(`SELECT count(*)::int AS n FROM loyalty_ledger_entry WHERE customer_id = ?`, [customer_id])
  return [rows, counted[0].n]
}

/**
 * Orders (all, or just `order_id`) with pending points left (an accrual with pending points, no activation yet,
 * Σ pending_delta > 0) and what their accrual was awarded under.
 */
export async function pendingOrders(knex: Knex, order_id: string | null): Promise<PendingOrderRow[]> {
  const { rows } = await knex.raw(
    `SELECT e.order_id, min(e.customer_id) AS customer_id,
            max(CASE WHEN e.kind = 'accrual' AND (e.details->>'pending_days') ~ '^[0-9]+$'
                     THEN (e.details->>'pending_days')::int END) AS pending_days,
            max(CASE WHEN e.kind = 'accrual' THEN e.details->>'spendable_on' END) AS spendable_on
       FROM loyalty_ledger_entry e
      WHERE e.order_id IS NOT NULL AND (?::text IS NULL OR e.order_id = ?)
      GROUP BY e.order_id
     HAVING bool_or(e.kind = 'accrual' AND e.pending_delta > 0)
        AND NOT bool_or(e.kind = 'activation')
        AND sum(e.pending_delta) > 0
      ORDER BY e.order_id`,
    [order_id, order_id]
  )
  return rows.map((r: any) => ({ ...r, pending_days: r.pending_days === null ? null : Number(r.pending_days) }))
}

/** Which of `keys` have an entry. */
export async function existingKeys(knex: Knex, keys: readonly string[]): Promise<Set<string>> {
  if (!keys.length) return new Set()
  const { rows } = await knex.raw(`SELECT idempotency_key FROM loyalty_ledger_entry WHERE idempotency_key = ANY(?)`, [[...keys]])
  return new Set(rows.map((r: { idempotency_key: string }) => r.idempotency_key))
}

/** What the core's integrity checks read: every account, every account's entries in append order, duplicated keys. */
export type LedgerForVerify = {
  accounts: Array<VerifyAccountRow & { id: string }>
  entries_by_account: Map<string, VerifyEntryRow[]>
  duplicated: Array<{ id: string; customer_id: string; idempotency_key: string }>
}

export async function ledgerForVerify(knex: Knex): Promise<LedgerForVerify> {
  const { rows: accounts } = await knex.raw(`SELECT id, customer_id, points_balance, points_pending, points_lifetime::float8 AS points_lifetime FROM loyalty_account ORDER BY id`)
  const { rows: entries } = await knex.raw(
    `SELECT id, account_id, customer_id, kind, points, balance_after, pending_delta, pending_after FROM loyalty_ledger_entry ORDER BY account_id, seq`
  )
  const entries_by_account = new Map<string, VerifyEntryRow[]>()
  for (const e of entries) {
    const list = entries_by_account.get(e.account_id) ?? []
    list.push(e)
    entries_by_account.set(e.account_id, list)
  }
  const { rows: duplicated } = await knex.raw(
    `SELECT id, customer_id, idempotency_key FROM loyalty_ledger_entry
      WHERE idempotency_key IN (SELECT idempotency_key FROM loyalty_ledger_entry GROUP BY idempotency_key HAVING count(*) > 1)
      ORDER BY seq`
  )
  return { accounts, entries_by_account, duplicated }
}
