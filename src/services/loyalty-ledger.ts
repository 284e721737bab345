import { generateEntityId, TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { LoyaltyError, LoyaltyErrorCodes } from "../domain/shared/errors"
import { EntryDraft, payloadHash, Posting } from "../domain/ledger/ledger"
import { postOnce, postUnderLock, type LedgerPort } from "../domain/ledger/locked-posting"
import { postingKeepsTier } from "../domain/program/member-inputs"
import type { Rulebook } from "../domain/rules/rulebook"
import { entityId } from "../utils/entity-id"
import { preparedQuery } from "../utils/prepared-query"
import { LoyaltyAccount } from "../models/loyalty-account"
import { LoyaltyLedgerEntry } from "../models/loyalty-ledger-entry"

type InjectedDependencies = { manager: EntityManager; loyaltyRulesService: { findRulebook(): Rulebook | null } }
/** The tier hook, resolved lazily: the tier service is built after the ledger (and must not be a constructor dependency). */
type TierHook = {
  withTransaction(m: EntityManager): {
    recompute(
      customer_id: string,
      o: { reason: string; correction?: boolean; locked?: LoyaltyAccount }
    ): Promise<{ to: string | null; below_since?: Date | null }>
  }
}

export type Page = { limit: number; offset: number }
export type AccountWithEmail = LoyaltyAccount & { email: string | null }
export type PostResult = { entry: LoyaltyLedgerEntry; account: LoyaltyAccount; replayed: boolean }
export type LockedContext = {
  manager: EntityManager
  /** The account as locked (current balance). */
  account: LoyaltyAccount
  entriesOfOrder(order_id: string): Promise<LoyaltyLedgerEntry[]>
}

/**
 * Accounts and the append-only ledger. The only writer of balances: every movement goes through `post`, which
 * appends the entry and updates the cached balance in one transaction, under the account's row lock.
 */
export default class LoyaltyLedgerService extends TransactionBaseService {
  protected readonly container_: InjectedDependencies & { loyaltyTierService?: TierHook }

  constructor(container: InjectedDependencies) {
    super(container)
    this.container_ = container
  }

  /**
   * Returns the customer's account, creating it when missing (customers created before the plugin was installed
   * get theirs on first need). Safe under concurrency: the unique index on customer_id decides the race.
   */
  async ensureAccount(customer_id: string): Promise<LoyaltyAccount> {
    return await this.atomicPhase_(async (manager) => {
      // Read first: the account almost always exists, and a read is one round trip where insert-then-read is two.
      const found = await manager.getRepository(LoyaltyAccount).findOne({ where: { customer_id } })
      if (found) return found
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(LoyaltyAccount)
        .values({ id: generateEntityId("", "lacc"), customer_id, points_balance: 0, points_lifetime: 0, points_pending: 0, tier: null })
        .orIgnore()
        .returning(["id"])
        .execute()
      if (inserted.raw.length > 0) {
        await this.tiers_(manager).recompute(customer_id, { reason: "enrolled" }) // a new member gets the base tier
      }
      return await manager.getRepository(LoyaltyAccount).findOneOrFail({ where: { customer_id } })
    })
  }

  /** The account of a customer, or null when none exists yet. */
  async findAccount(customer_id: string): Promise<LoyaltyAccount | null> {
    return await this.activeManager_.getRepository(LoyaltyAccount).findOne({ where: { customer_id } })
  }

  /**
   * Appends `draft` exactly once per idempotency key (the core's postOnce): an exact replay returns the stored
   * entry, another payload under the same key is a conflict. A new key costs four statements (begin, lock, append
   * with the balances, commit): the key's unique index decides in the append, so nothing is read before it.
   */
  async post(draft: EntryDraft): Promise<PostResult> {
    return await this.atomicPhase_(async (manager) => await postOnce(this.port(manager), draft))
  }

  /**
   * The core's postUnderLock on this store: locks the customer's account, then, unless an entry exists under
   * `idempotency_key` (returned as a replay), asks `decide` for the draft to append, under the lock; null writes
   * nothing. `order_id`: the entries of that order are read together with the idempotency check (one round trip)
   * and handed to `decide` through `ctx.entriesOfOrder`.
   */
  async postUnderLock(
    customer_id: string,
    idempotency_key: string,
    decide: (ctx: LockedContext) => Promise<EntryDraft | null>,
    { order_id }: { order_id?: string } = {}
  ): Promise<PostResult | { entry: null; account: LoyaltyAccount; replayed: false }> {
    return await this.atomicPhase_(async (manager) =>
      await postUnderLock(this.port(manager), { customer_id, idempotency_key, order_id }, async ({ account, orderEntries }) =>
        await decide({
          manager,
          account,
          entriesOfOrder: async (id) => (id === order_id ? orderEntries : await this.entriesOfOrder(manager, id)),
        })
      )
    )
  }

  /** The ledger's storage in `manager`'s transaction, as the core's locked write needs it. */
  private port(manager: EntityManager): LedgerPort<LoyaltyAccount, LoyaltyLedgerEntry> {
    return {
      lockAccount: async (customer_id) => await this.lockAccount(manager, customer_id),
      openAccount: async (customer_id) => void (await this.withTransaction(manager).ensureAccount(customer_id)),
      entriesByKey: async (idempotency_key, order_id) => {
        const rows: LoyaltyLedgerEntry[] = await manager.query(
          `SELECT * FROM loyalty_ledger_entry WHERE idempotency_key = $1 OR order_id = $2 ORDER BY seq`,
          [idempotency_key, order_id ?? null]
        )
        return rows.map((r) => manager.getRepository(LoyaltyLedgerEntry).create(r))
      },
      append: async (account, draft, posting) => {
        const { entry, updated_at } = (await this.append(manager, account, draft, posting, { unlessKeyTaken: false }))!
        return { entry, account: { ...account, ...posting.next, updated_at } as LoyaltyAccount }
      },
      appendUnlessKeyTaken: async (account, draft, posting) => {
        const appended = await this.append(manager, account, draft, posting, { unlessKeyTaken: true })
        return appended && { entry: appended.entry, account: { ...account, ...posting.next, updated_at: appended.updated_at } as LoyaltyAccount }
      },
      lifetimeChanged: async (account, { reason, correction }) => {
        // Decided from the row in hand: most postings cross no threshold and no grace boundary, and then the tier
        // service (its reads, writes and transaction bookkeeping) has nothing to do.
        const rulebook = this.container_.loyaltyRulesService.findRulebook()
        if (!rulebook || postingKeepsTier(rulebook, account, { correction, now: new Date() })) return account
        const tier = await this.tiers_(manager).recompute(account.customer_id, { reason, correction, locked: account })
        const below_since = tier.below_since === undefined ? account.tier_below_since : tier.below_since
        return { ...account, tier: tier.to, tier_below_since: below_since } as LoyaltyAccount
      },
    }
  }

  /**
   * Appends the entry and moves the cached balances in one statement (one round trip), under the caller's lock.
   * Plain (`unlessKeyTaken` false): the idempotency key was checked under the lock, and its unique index refuses a
   * duplicate anyway. `unlessKeyTaken`: the unique index decides instead (ON CONFLICT DO NOTHING, which sees
   * committed entries whatever the statement's snapshot); a taken key writes neither the entry nor the balances
   * (the account's update runs only for an inserted entry) and returns null.
   */
  private async append(
    manager: EntityManager,
    account: LoyaltyAccount,
    draft: EntryDraft,
    posting: Posting,
    { unlessKeyTaken }: { unlessKeyTaken: boolean }
  ): Promise<{ entry: LoyaltyLedgerEntry; updated_at: Date } | null> {
    const row = entryRow(account, draft, posting)
    const rule_names = JSON.stringify(row.rule_names)
    const details = JSON.stringify(row.details)
    const [stored] = await preparedQuery<{ seq: string; created_at: Date; account_updated_at: Date }>(
      manager,
      unlessKeyTaken ? "loyalty_append_entry_unless_key_taken" : "loyalty_append_entry",
      unlessKeyTaken ? APPEND_UNLESS_KEY_TAKEN_SQL : APPEND_SQL,
      [
        row.id, row.account_id, row.customer_id, row.kind, row.points, row.balance_after, row.pending_delta,
        row.pending_after, row.order_id, row.source_id, rule_names, row.rulebook_version,
        row.reason, row.actor_id, row.idempotency_key, row.payload_hash, details,
        posting.next.points_balance, posting.next.points_pending, posting.next.points_lifetime,
      ]
    )
    if (!stored) return null
    // The entry as stored: the row written, the jsonb columns as JSON gives them back, the columns the database fills.
    const entry = { ...row, rule_names: JSON.parse(rule_names), details: JSON.parse(details), seq: stored.seq, created_at: stored.created_at }
    return { entry: manager.getRepository(LoyaltyLedgerEntry).create(entry), updated_at: stored.account_updated_at }
  }

  /** Entries of one order in append order (accrual, clawbacks, reversal, activation). */
  async entriesOfOrder(manager: EntityManager, order_id: string): Promise<LoyaltyLedgerEntry[]> {
    return await manager.getRepository(LoyaltyLedgerEntry).find({ where: { order_id }, order: { seq: "ASC" } })
  }

  /** The entry stored under an idempotency key, if any (lets callers skip work for a redelivered event). */
  async findEntryByKey(idempotency_key: string): Promise<LoyaltyLedgerEntry | null> {
    return await this.activeManager_.getRepository(LoyaltyLedgerEntry).findOne({ where: { idempotency_key } })
  }

  /** Accounts with the customer's email, newest first; `q` matches email or customer id (case-insensitive), `tier` the tier code. */
  async listAccounts({ q, tier }: { q?: string; tier?: string }, page: Page): Promise<[AccountWithEmail[], number]> {
    const qb = this.activeManager_
      .getRepository(LoyaltyAccount)
      .createQueryBuilder("a")
      .leftJoin("customer", "c", "c.id = a.customer_id")
      .addSelect("c.email", "email")
    if (q) {
      qb.andWhere("(c.email ILIKE :q OR a.customer_id ILIKE :q)", { q: `%${escapeLike(q)}%` })
    }
    if (tier) {
      qb.andWhere("a.tier = :tier", { tier })
    }
    const count = await qb.getCount()
    const { entities, raw } = await qb
      .orderBy("a.created_at", "DESC")
      .addOrderBy("a.id", "DESC")
      .offset(page.offset)
      .limit(page.limit)
      .getRawAndEntities()
    return [entities.map((a, i) => Object.assign(a, { email: (raw[i]?.email as string | null) ?? null })), count]
  }

  /** A customer's entries, newest first. */
  async listEntries(customer_id: string, page: Page): Promise<[LoyaltyLedgerEntry[], number]> {
    return await this.activeManager_.getRepository(LoyaltyLedgerEntry).findAndCount({
      where: { customer_id },
      order: { seq: "DESC" },
      skip: page.offset,
      take: page.limit,
    })
  }

  /** The account of a customer or NOT_FOUND. */
  async retrieveAccount(customer_id: string): Promise<LoyaltyAccount> {
    const account = await this.findAccount(customer_id)
    if (!account) {
      throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `No loyalty account for customer ${customer_id}`, {
        customer_id,
      })
    }
    return account
  }

  private tiers_(manager: EntityManager): ReturnType<TierHook["withTransaction"]> {
    return this.container_.loyaltyTierService!.withTransaction(manager)
  }

  /** The account under `SELECT … FOR UPDATE` (held until the transaction ends), or null when it does not exist. */
  private async lockAccount(manager: EntityManager, customer_id: string): Promise<LoyaltyAccount | null> {
    // Plain prepared SQL: on the hot path of every posting, the query builder's parse and hydration and the
    // database's planning cost more than the lock.
    const [row] = await preparedQuery<LoyaltyAccount>(manager, "loyalty_lock_account", LOCK_ACCOUNT_SQL, [customer_id])
    // points_lifetime is int8, which pg returns as text: the entity's transformer, applied by hand.
    return row ? manager.getRepository(LoyaltyAccount).create({ ...row, points_lifetime: Number(row.points_lifetime) } as LoyaltyAccount) : null
  }
}

/** Every column of loyalty_account, by name (a prepared statement must not return `*`: see preparedQuery). */
const LOCK_ACCOUNT_SQL = `SELECT id, customer_id, points_balance, points_lifetime, points_pending, tier, tier_below_since,
    created_at, updated_at
  FROM loyalty_account WHERE customer_id = $1 FOR UPDATE`

/**
 * The entry's INSERT and the balances' UPDATE as one statement (prepared: see preparedQuery); `on_conflict` is empty
 * or the key's DO NOTHING. It returns only what the database fills in (seq, created_at, the account's updated_at).
 */
const appendSql = (on_conflict: string): string => `WITH entry AS (
    INSERT INTO loyalty_ledger_entry (id, account_id, customer_id, kind, points, balance_after, pending_delta,
      pending_after, order_id, source_id, rule_names, rulebook_version, reason, actor_id, idempotency_key,
      payload_hash, details)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $17::jsonb)
    ${on_conflict}
    RETURNING seq, created_at
  ), account AS (
    UPDATE loyalty_account SET points_balance = $18, points_pending = $19, points_lifetime = $20,
      updated_at = CURRENT_TIMESTAMP
    WHERE id = $2 AND EXISTS (SELECT 1 FROM entry) RETURNING updated_at
  )
  SELECT entry.seq, entry.created_at, (SELECT updated_at FROM account) AS account_updated_at FROM entry`
const APPEND_SQL = appendSql("")
const APPEND_UNLESS_KEY_TAKEN_SQL = appendSql("ON CONFLICT (idempotency_key) DO NOTHING")

function entryRow(account: LoyaltyAccount, draft: EntryDraft, posting: Posting): Omit<LoyaltyLedgerEntry, "seq" | "created_at"> {
  return {
    id: entityId("lent"),
    account_id: account.id,
    customer_id: draft.customer_id,
    kind: draft.kind,
    points: posting.points,
    balance_after: posting.balance_after,
    pending_delta: posting.pending_delta,
    pending_after: posting.pending_after,
    order_id: draft.order_id ?? null,
    source_id: draft.source_id ?? null,
    rule_names: draft.rule_names ?? [],
    rulebook_version: draft.rulebook_version ?? null,
    reason: draft.reason ?? null,
    actor_id: draft.actor_id ?? null,
    idempotency_key: draft.idempotency_key,
    payload_hash: payloadHash(draft),
    details: draft.details ?? {},
  }
}

function escapeLike(q: string): string {
  return q.replace(/[\\%_]/g, (c) => `\\${c}`)
}
