import type { Context } from "@medusajs/framework/types"
import { generateEntityId, InjectManager, InjectTransactionManager, MedusaContext, MedusaService } from "@medusajs/framework/utils"
import { LoyaltyError, LoyaltyErrorCodes } from "../../core/domain/shared/errors"
import { type EntryDraft, payloadHash, type Posting } from "../../core/domain/ledger/ledger"
import { postOnce, postUnderLock, type LedgerPort } from "../../core/domain/ledger/locked-posting"
import type { OrderEntry } from "../../core/domain/ledger/order-ledger"
import { VerifyAccumulator, duplicateKeyProblems, type VerifyReport } from "../../core/domain/ledger/verify"
import { MEMBER_WINDOW_DAYS, type MemberFacts } from "../../core/domain/rules/facts"
import { LIFETIME_KINDS } from "../../core/domain/ledger/ledger"
import { recomputeTier } from "../../core/domain/program/tiers"
import type { Rulebook } from "../../core/domain/rules/rulebook"
import type { RulebookState } from "../../core/domain/rules/rulebook-state"
import { parsePluginOptions, type PluginOptions } from "../../core/domain/shared/options"
import { defaultRulesDir, liveRulebook, reloadRules, rulesState } from "../../lib/rules"
import LoyaltyAccount from "./models/loyalty-account"
import LoyaltyLedgerEntry from "./models/loyalty-ledger-entry"
import LoyaltyRulebook from "./models/loyalty-rulebook"
import LoyaltyTierChange from "./models/loyalty-tier-change"
import LoyaltyPromotion from "./models/loyalty-promotion"
import { LoyaltyRedemption, LoyaltyRedemptionUse } from "./models/loyalty-redemption"
import * as Redemptions from "./redemption-store"
import { EntryKeys } from "../../core/domain/ledger/entry-keys"
import { compensationEntryDraft } from "../../core/domain/ledger/adjustment"
import { redemptionVoidEntryDraft } from "../../core/domain/ledger/redemption"
import { DAY_MS } from "../../core/domain/shared/time"

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
 * What member facts take from outside the loyalty module (customer and orders, read by the caller through Query;
 * see lib/member-facts.ts). `created_at` is the customer's, null when the customer row is gone.
 */
export type MemberContext = Pick<MemberFacts, "orders_count" | "spend_last_365d_minor" | "group_ids"> & { created_at: string | null }
/** Read only when needed (a posting that moves lifetime points, a new account). */
export type MemberContextSource = () => Promise<MemberContext>

/** Facts of a member when no context is given: no orders, no groups (the ledger figures are always read). */
const NO_CONTEXT: MemberContext = { orders_count: 0, spend_last_365d_minor: 0, group_ids: [], created_at: null }

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

export type TierChangeRow = {
  id: string
  customer_id: string
  from_tier: string | null
  to_tier: string
  reason: string
  rulebook_version: string | null
  created_at: Date
}

export type TrackedPromotionRow = {
  id: string
  code: string
  promotion_id: string | null
  customer_group_id: string
  definition_hash: string
  rulebook_version: string
  disabled_at: Date | null
  created_at: Date
  updated_at: Date
}

export type LockedContext = {
  account: AccountRow
  /** The entries of the order named in postUnderLock, in append order, read under the lock. */
  orderEntries: EntryRow[]
  /** Every entry of the account in append order, read under the lock (expiry's FIFO movements). */
  accountEntries: () => Promise<EntryRow[]>
}

/**
 * A tier change as `loyalty.tier_changed` carries it (its public payload, docs/ledger.md#events), written in the
 * posting's transaction.
 */
export type TierChangeEvent = { customer_id: string; from: string | null; to: string; reason: string; rulebook_version: string | null }

export type PostResult =
  | { entry: EntryRow; account: AccountRow; replayed: boolean; tier_changes?: TierChangeEvent[] }
  | { entry: null; account: AccountRow; replayed: false; tier_changes?: TierChangeEvent[] }

/** What a re-evaluation of one member did: the tiers job counts upgraded / downgraded / unchanged from `change`. */
export type TierReevaluation = { from: string | null; to: string | null; change: "upgrade" | "downgrade" | "none"; tier_change: TierChangeEvent | null }

/** An order with pending points left, as the ledger knows it (the activation job adds the order's side). */
export type PendingOrderRow = { order_id: string; customer_id: string; pending_days: number | null; spendable_on: string | null }

type Knex = { raw(sql: string, bindings?: unknown[]): Promise<{ rows: any[] }> }

/**
 * The loyalty module: accounts, the append-only ledger and stored rulebook versions. The only writer of balances
 * is `postUnderLock`: it locks the account row (SELECT … FOR UPDATE), checks the idempotency key, lets the caller
 * decide the draft from what the ledger holds, and appends the entry and moves the cached balances in the same
 * transaction. The points arithmetic is the core's (planPosting, payloadHash, assertReplay).
 *
 * Writes and locking reads are @InjectTransactionManager (their own transaction, or the caller's when the shared
 * context carries one); plain reads are @InjectManager over readerOf: autocommit on the pool, or the caller's
 * transaction when they are handed one, so a read never pays BEGIN/COMMIT for nothing.
 */
class LoyaltyModuleService extends MedusaService({ LoyaltyAccount, LoyaltyLedgerEntry, LoyaltyRulebook, LoyaltyTierChange, LoyaltyPromotion, LoyaltyRedemption, LoyaltyRedemptionUse }) {
  protected readonly pluginOptions_: PluginOptions

  constructor(container: Record<string, unknown>, options: Record<string, unknown> = {}) {
    // eslint-disable-next-line prefer-rest-params
    super(...(arguments as unknown as [Record<string, unknown>]))
    this.pluginOptions_ = parsePluginOptions(pickPluginOptions(options), { rules_dir: defaultRulesDir() })
  }

  get pluginOptions(): PluginOptions {
    return this.pluginOptions_
  }

  /** The live rulebook; RULES_UNAVAILABLE (issues located) when none could be loaded. */
  getRulebook(): Rulebook {
    return liveRulebook(this.pluginOptions_.rules_dir)
  }

  rulesState(): RulebookState {
    return rulesState(this.pluginOptions_.rules_dir)
  }

  reloadRules(): RulebookState {
    return reloadRules(this.pluginOptions_.rules_dir)
  }

  /** Stores the live rulebook's files under its version the first time it is used (never updated). */
  @InjectTransactionManager()
  async rememberRulebook(state: RulebookState, @MedusaContext() sharedContext: Context = {}): Promise<void> {
    if (!state.rulebook) return
    await knexOf(sharedContext).raw(
      `INSERT INTO loyalty_rulebook (id, version, files, loaded_at) VALUES (?, ?, ?::jsonb, ?)
       ON CONFLICT (version) WHERE deleted_at IS NULL DO NOTHING`,
      [newId("lrb"), state.rulebook.version, JSON.stringify(state.sources), state.loaded_at ?? new Date(0)]
    )
  }

  /** The account of a customer, opened when missing; `created` tells whether this call opened it. */
  @InjectTransactionManager()
  async ensureAccount(
    customer_id: string,
    member: MemberContextSource | null = null,
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ account: AccountRow; created: boolean; tier_change?: TierChangeEvent | null }> {
    const knex = knexOf(sharedContext)
    const inserted = await knex.raw(
      `INSERT INTO loyalty_account (id, customer_id, points_balance, points_lifetime, points_pending, tier)
       VALUES (?, ?, 0, 0, 0, NULL) ON CONFLICT (customer_id) WHERE deleted_at IS NULL DO NOTHING RETURNING *`,
      [newId("lacc"), customer_id]
    )
    if (inserted.rows.length) {
      // A new member gets their tier at once (the base tier on the default ladder); the trigger "enrolled" tells the
      // tier history why.
      const { account, tier_change } = await this.applyTier(knex, accountRow(inserted.rows[0]), { correction: false, member, reason: "enrolled" })
      return { account, created: true, tier_change }
    }
    const { rows } = await knex.raw(`SELECT * FROM loyalty_account WHERE customer_id = ?`, [customer_id])
    return { account: accountRow(rows[0]), created: false }
  }

  /**
   * A member's facts (the core's MemberFacts, core/domain/rules/facts.ts): the ledger figures read here
   * (accountFacts' one statement, in the caller's transaction if any), plus the customer/order `context` the caller
   * read through Query.
   */
  @InjectManager()
  async memberFacts(customer_id: string, context: MemberContext, now: Date = new Date(), @MedusaContext() sharedContext: Context = {}): Promise<MemberFacts> {
    const found = await this.accountFacts(customer_id, context, now, sharedContext)
    return found?.facts ?? factsOf(null, customer_id, 0, context, now)
  }

  /**
   * The account of a customer and its member facts (what the member's summary shows), null without an account: the
   * account row and its 365-day ledger points in ONE statement, plus the caller's `context` (by default none: the
   * ledger figures only). A read, so no transaction of its own (BEGIN/COMMIT would triple the round trips); it joins
   * the caller's when there is one.
   */
  @InjectManager()
  async accountFacts(
    customer_id: string,
    context: MemberContext = NO_CONTEXT,
    now: Date = new Date(),
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ account: AccountRow; facts: MemberFacts } | null> {
    const { rows } = await readerOf(sharedContext).raw(
      `SELECT a.*,
              (SELECT COALESCE(SUM(e.points), 0)::float8 FROM loyalty_ledger_entry e
                WHERE e.customer_id = a.customer_id AND e.kind = ANY(?) AND e.created_at > ? AND e.created_at <= ?) AS points_last_365d
         FROM loyalty_account a WHERE a.customer_id = ?`,
      [...windowParams(now), customer_id]
    )
    if (!rows[0]) return null
    const { points_last_365d, ...row } = rows[0]
    const account = accountRow(row)
    return { account, facts: factsOf(account, customer_id, Number(points_last_365d), context, now) }
  }

  /**
   * Re-evaluates the tier of `account` (locked by the caller, as this transaction last wrote it) with the core's
   * recomputeTier over the live tiers file, and stores tier and tier_below_since when they change.
   * `correction`: lifetime points went down (clawback, reversal, negative adjustment): no grace.
   * Without a live rulebook or a tiers file the account is left as it is.
   */
  private async applyTier(
    knex: Knex,
    account: AccountRow,
    { correction, member, reason, now = new Date() }: { correction: boolean; member: MemberContextSource | null; reason: string; now?: Date }
  ): Promise<{ account: AccountRow; change: TierReevaluation["change"]; tier_change: TierChangeEvent | null }> {
    const unchanged = { account, change: "none" as const, tier_change: null }
    const rulebook = this.findRulebook()
    if (!rulebook?.tiers) return unchanged
    const facts = await memberFactsUnder(knex, account, account.customer_id, member ? await member() : NO_CONTEXT, now)
    const below_since = account.tier_below_since ? new Date(account.tier_below_since) : null
    const r = recomputeTier(rulebook, { tier: account.tier, tier_below_since: below_since }, facts, { trigger: reason, correction, now })!
    if (!r.store) return unchanged
    const { rows } = await knex.raw(
      `UPDATE loyalty_account SET tier = ?, tier_below_since = ?, updated_at = now() WHERE id = ? RETURNING *`,
      [r.to, r.decision.below_since, account.id]
    )
    let tier_change: TierChangeEvent | null = null
    if (r.changed) {
      // The tier history, in the posting's transaction: it exists exactly when the change does.
      await knex.raw(
        `INSERT INTO loyalty_tier_change (id, customer_id, from_tier, to_tier, reason, rulebook_version) VALUES (?, ?, ?, ?, ?, ?)`,
        [newId("ltch"), account.customer_id, r.from, r.to, r.reason, rulebook.version]
      )
      // The workflow that called emits it (loyalty.tier_changed) once it has succeeded: see workflows/tier-events.ts.
      tier_change = { customer_id: account.customer_id, from: r.from, to: r.to, reason: r.reason, rulebook_version: rulebook.version }
    }
    return { account: accountRow(rows[0]), change: tier_change ? r.decision.change : "none", tier_change }
  }

  /**
   * The core's postUnderLock (src/domain/ledger/locked-posting.ts) on this module's tables: locks the customer's account
   * (opening it when missing), then, unless an entry exists under `idempotency_key` (returned as a replay), asks
   * `decide` for the draft to append, under the lock; null writes nothing. The tier changes the write caused come
   * back for the calling workflow to emit once it has succeeded.
   */
  @InjectTransactionManager()
  async postUnderLock(
    customer_id: string,
    idempotency_key: string,
    decide: (ctx: LockedContext) => EntryDraft | null | Promise<EntryDraft | null>,
    order_id: string | null = null,
    member: MemberContextSource | null = null,
    @MedusaContext() sharedContext: Context = {}
  ): Promise<PostResult> {
    const knex = knexOf(sharedContext)
    const tier_changes: TierChangeEvent[] = []
    const result = await postUnderLock(this.port(knex, member, tier_changes, sharedContext), { customer_id, idempotency_key, order_id }, ({ account, orderEntries }) => {
      const accountEntries = async () => (await knex.raw(`SELECT * FROM loyalty_ledger_entry WHERE account_id = ? ORDER BY seq`, [account.id])).rows as EntryRow[]
      return decide({ account, orderEntries, accountEntries })
    })
    return result.replayed ? result : { ...result, tier_changes }
  }

  /** Appends `draft` exactly once per idempotency key: an exact replay returns the stored entry, anything else is a conflict. */
  @InjectTransactionManager()
  async post(draft: EntryDraft, member: MemberContextSource | null = null, @MedusaContext() sharedContext: Context = {}): Promise<PostResult & { entry: EntryRow }> {
    const tier_changes: TierChangeEvent[] = []
    const result = await postOnce(this.port(knexOf(sharedContext), member, tier_changes, sharedContext), draft)
    return result.replayed ? result : { ...result, tier_changes }
  }

  /** The ledger's storage in the caller's transaction, as the core's locked write needs it; tier changes are collected. */
  private port(knex: Knex, member: MemberContextSource | null, tier_changes: TierChangeEvent[], sharedContext: Context): LedgerPort<AccountRow, EntryRow> {
    return {
      lockAccount: async (customer_id) => await lockAccount(knex, customer_id),
      openAccount: async (customer_id) => {
        const opened = await this.ensureAccount(customer_id, member, sharedContext)
        if (opened.tier_change) tier_changes.push(opened.tier_change)
      },
      entriesByKey: async (idempotency_key, order_id) =>
        (await knex.raw(`SELECT * FROM loyalty_ledger_entry WHERE idempotency_key = ? OR (order_id IS NOT NULL AND order_id = ?) ORDER BY seq`, [idempotency_key, order_id])).rows as EntryRow[],
      append: async (account, draft, posting) => {
        const entry = await appendEntry(knex, account, draft, posting)
        const { rows } = await knex.raw(
          `UPDATE loyalty_account SET points_balance = ?, points_pending = ?, points_lifetime = ?, updated_at = now()
            WHERE id = ? RETURNING *`,
          [posting.next.points_balance, posting.next.points_pending, posting.next.points_lifetime, account.id]
        )
        return { entry, account: accountRow(rows[0]) }
      },
      lifetimeChanged: async (account, { reason, correction }) => {
        const recomputed = await this.applyTier(knex, account, { correction, member, reason })
        if (recomputed.tier_change) tier_changes.push(recomputed.tier_change)
        return recomputed.account
      },
    }
  }

  /**
   * Undoes a posted entry for a workflow compensation: the ledger is append-only, so the undo is a new entry that
   * moves the same points back, under its own key (a second compensation of the same entry is a replay).
   */
  async compensateEntry(entry_id: string, member: MemberContextSource | null = null, sharedContext: Context = {}): Promise<void> {
    const [entry] = await this.listLoyaltyLedgerEntries({ id: entry_id }, {}, sharedContext)
    if (!entry) return
    await this.post(compensationEntryDraft(entry), member, sharedContext)
  }

  /**
   * The daily re-evaluation of one member (the core's recomputeTier, trigger "reevaluation"): under the account's row
   * lock, as of `now` (window facts move with time, grace periods end). Null when the member has no account.
   */
  @InjectTransactionManager()
  async reevaluateTier(
    customer_id: string,
    now: Date,
    member: MemberContextSource | null = null,
    @MedusaContext() sharedContext: Context = {}
  ): Promise<TierReevaluation | null> {
    const knex = knexOf(sharedContext)
    const account = await lockAccount(knex, customer_id)
    if (!account) return null
    const { account: next, change, tier_change } = await this.applyTier(knex, account, { correction: false, member, reason: "reevaluation", now })
    return { from: account.tier, to: next.tier, change, tier_change }
  }

  /**
   * Serializes the tier/promotion group syncs of one member: `work` runs while this module's transaction holds a
   * transaction-scoped advisory lock on the customer id (released when it ends, also on a crash). Two syncs of one
   * member run one after the other, so each reads the groups the previous one left. Waiting is by retry (try-lock,
   * then a short sleep outside any transaction): waiters hold no pooled connection the holder's work may need.
   */
  async withMemberSyncLock<T>(customer_id: string, work: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      const result = await this.tryUnderMemberSyncLock(customer_id, work)
      if (result.locked) return result.value as T
      if (Date.now() > deadline) {
        throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `the group sync of ${customer_id} waited more than ${timeoutMs} ms for the member's lock`)
      }
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }

  @InjectTransactionManager()
  protected async tryUnderMemberSyncLock<T>(
    customer_id: string,
    work: () => Promise<T>,
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ locked: boolean; value?: T }> {
    const { rows } = await knexOf(sharedContext).raw(
      `SELECT pg_try_advisory_xact_lock(hashtext('loyalty-member-sync'), hashtext(?)) AS locked`,
      [customer_id]
    )
    if (!rows[0]?.locked) return { locked: false }
    return { locked: true, value: await work() }
  }

  /** Customer ids of accounts after `after` (keyset page, ascending); `positive_balance` keeps those with points to expire. */
  @InjectManager()
  async accountIdsPage(
    page: { after: string; limit: number; positive_balance?: boolean },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<string[]> {
    const { rows } = await readerOf(sharedContext).raw(
      `SELECT customer_id FROM loyalty_account WHERE customer_id > ? ${page.positive_balance ? "AND points_balance > 0" : ""}
        ORDER BY customer_id LIMIT ?`,
      [page.after, page.limit]
    )
    return rows.map((r: { customer_id: string }) => r.customer_id)
  }

  /**
   * Orders (all, or just `order_id`) with pending points left (an accrual with pending points, no activation yet,
   * Σ pending_delta > 0) and what their accrual was awarded under: activation's ledger half (the order's side is read
   * through Query, lib/loyalty-jobs.ts orderActivationSide).
   */
  @InjectManager()
  async pendingOrders(order_id: string | null = null, @MedusaContext() sharedContext: Context = {}): Promise<PendingOrderRow[]> {
    const { rows } = await readerOf(sharedContext).raw(
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

  /** Which of `keys` have a ledger entry (reconcile's probe of the events the ledger has seen). */
  @InjectManager()
  async existingKeys(keys: string[], @MedusaContext() sharedContext: Context = {}): Promise<Set<string>> {
    if (!keys.length) return new Set()
    const { rows } = await readerOf(sharedContext).raw(`SELECT idempotency_key FROM loyalty_ledger_entry WHERE idempotency_key = ANY(?)`, [keys])
    return new Set(rows.map((r: { idempotency_key: string }) => r.idempotency_key))
  }

  /** A read: no transaction of its own (see accountFacts). */
  @InjectManager()
  async findAccount(customer_id: string, @MedusaContext() sharedContext: Context = {}): Promise<AccountRow | null> {
    const { rows } = await readerOf(sharedContext).raw(`SELECT * FROM loyalty_account WHERE customer_id = ?`, [customer_id])
    return rows[0] ? accountRow(rows[0]) : null
  }

  @InjectManager()
  async findEntry(id: string, @MedusaContext() sharedContext: Context = {}): Promise<EntryRow | null> {
    const { rows } = await readerOf(sharedContext).raw(`SELECT * FROM loyalty_ledger_entry WHERE id = ?`, [id])
    return rows[0] ?? null
  }

  @InjectManager()
  async findEntryByKey(key: string, @MedusaContext() sharedContext: Context = {}): Promise<EntryRow | null> {
    const { rows } = await readerOf(sharedContext).raw(`SELECT * FROM loyalty_ledger_entry WHERE idempotency_key = ?`, [key])
    return rows[0] ?? null
  }

  /** Accounts per tier code: GET /admin/loyalty/tiers' member_count. */
  @InjectManager()
  async membersPerTier(@MedusaContext() sharedContext: Context = {}): Promise<Map<string, number>> {
    const { rows } = await readerOf(sharedContext).raw(
      `SELECT tier, count(*)::int AS n FROM loyalty_account WHERE tier IS NOT NULL AND deleted_at IS NULL GROUP BY tier`
    )
    return new Map(rows.map((r: { tier: string; n: number }) => [r.tier, r.n]))
  }

  /** The member promotions this plugin created (the only v2 promotions it ever changes), by code. */
  @InjectManager()
  async trackedPromotions(@MedusaContext() sharedContext: Context = {}): Promise<TrackedPromotionRow[]> {
    const { rows } = await readerOf(sharedContext).raw(`SELECT * FROM loyalty_promotion ORDER BY code`)
    return rows
  }

  /** Records what reconcile made of a promotion code (insert or update by code). */
  @InjectTransactionManager()
  async trackPromotion(
    row: Pick<TrackedPromotionRow, "code" | "promotion_id" | "customer_group_id" | "definition_hash" | "rulebook_version" | "disabled_at">,
    @MedusaContext() sharedContext: Context = {}
  ): Promise<void> {
    await knexOf(sharedContext).raw(
      `INSERT INTO loyalty_promotion (id, code, promotion_id, customer_group_id, definition_hash, rulebook_version, disabled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (code) DO UPDATE SET promotion_id = EXCLUDED.promotion_id, customer_group_id = EXCLUDED.customer_group_id,
         definition_hash = EXCLUDED.definition_hash, rulebook_version = EXCLUDED.rulebook_version,
         disabled_at = EXCLUDED.disabled_at, updated_at = now()`,
      [newId("lpromo"), row.code, row.promotion_id, row.customer_group_id, row.definition_hash, row.rulebook_version, row.disabled_at]
    )
  }

  /** Every member's customer id (reconcile re-syncs their promotion groups). */
  @InjectManager()
  async memberIds(@MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    const { rows } = await readerOf(sharedContext).raw(`SELECT customer_id FROM loyalty_account ORDER BY customer_id`)
    return rows.map((r: { customer_id: string }) => r.customer_id)
  }

  /** A customer's tier changes, oldest first. */
  @InjectManager()
  async tierHistory(customer_id: string, @MedusaContext() sharedContext: Context = {}): Promise<TierChangeRow[]> {
    const { rows } = await readerOf(sharedContext).raw(
      `SELECT id, customer_id, from_tier, to_tier, reason, rulebook_version, created_at FROM loyalty_tier_change
        WHERE customer_id = ? ORDER BY created_at, id`,
      [customer_id]
    )
    return rows
  }

  /** A customer's entries, newest first, and their count. */
  @InjectManager()
  async pageEntries(customer_id: string, page: { limit: number; offset: number }, @MedusaContext() sharedContext: Context = {}): Promise<[EntryRow[], number]> {
    const knex = readerOf(sharedContext)
    const { rows } = await knex.raw(
      `SELECT * FROM loyalty_ledger_entry WHERE customer_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?`,
      [customer_id, page.limit, page.offset]
    )
    const { rows: counted } = await knex.raw(`SELECT count(*)::int AS n FROM loyalty_ledger_entry WHERE customer_id = ?`, [customer_id])
    return [rows, counted[0].n]
  }

  /** Accounts newest first; `customer_ids` restricts the list (the route resolves an email search to ids), `tier` the tier. */
  @InjectManager()
  async pageAccounts(
    filter: { customer_ids?: string[]; q?: string; tier?: string },
    page: { limit: number; offset: number },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<[AccountRow[], number]> {
    const where: string[] = []
    const params: unknown[] = []
    if (filter.q !== undefined) {
      where.push(`(customer_id ILIKE ? ${filter.customer_ids?.length ? `OR customer_id = ANY(?)` : ""})`)
      params.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
      if (filter.customer_ids?.length) params.push(filter.customer_ids)
    }
    if (filter.tier !== undefined) {
      where.push(`tier = ?`)
      params.push(filter.tier)
    }
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : ""
    const knex = readerOf(sharedContext)
    const { rows } = await knex.raw(
      `SELECT * FROM loyalty_account ${clause} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
      [...params, page.limit, page.offset]
    )
    const { rows: counted } = await knex.raw(`SELECT count(*)::int AS n FROM loyalty_account ${clause}`, params)
    return [rows.map(accountRow), counted[0].n]
  }

  /**
   * Ledger integrity (the core's checks) over the accounts and entries. No transaction of its own: the module's
   * transactions run at the database's READ COMMITTED, where every statement takes its own snapshot, so BEGIN/COMMIT
   * would not make the reads agree with each other either; a posting that commits between them can show as drift
   * until the next run.
   */
  @InjectManager()
  async verifyLedger(@MedusaContext() sharedContext: Context = {}): Promise<VerifyReport> {
    const knex = readerOf(sharedContext)
    const acc = new VerifyAccumulator()
    const { rows: accounts } = await knex.raw(`SELECT id, customer_id, points_balance, points_pending, points_lifetime::float8 AS points_lifetime FROM loyalty_account ORDER BY id`)
    const { rows: entries } = await knex.raw(
      `SELECT id, account_id, customer_id, kind, points, balance_after, pending_delta, pending_after FROM loyalty_ledger_entry ORDER BY account_id, seq`
    )
    const byAccount = new Map<string, any[]>()
    for (const e of entries) byAccount.set(e.account_id, [...(byAccount.get(e.account_id) ?? []), e])
    for (const a of accounts) acc.addAccount(a, byAccount.get(a.id) ?? [])
    const { rows: duplicated } = await knex.raw(
      `SELECT id, customer_id, idempotency_key FROM loyalty_ledger_entry
        WHERE idempotency_key IN (SELECT idempotency_key FROM loyalty_ledger_entry GROUP BY idempotency_key HAVING count(*) > 1)
        ORDER BY seq`
    )
    acc.addProblems(duplicateKeyProblems(duplicated))
    return acc.report()
  }

  // ── Redemptions (points → a personal single-use promotion code; lib/redemptions.ts, workflows/redemption.ts) ──

  /** The redemptions matching `filter`, oldest first. */
  @InjectManager()
  async findRedemptions(filter: Redemptions.RedemptionFilter, @MedusaContext() sharedContext: Context = {}): Promise<Redemptions.RedemptionRow[]> {
    return await Redemptions.findRedemptions(readerOf(sharedContext), filter)
  }

  /** The redemptions a cart or an order carries: by its promotions' ids or by its adjustments' codes, oldest first. */
  @InjectManager()
  async findRedemptionsByPromotionsOrCodes(
    refs: { promotion_ids: readonly string[]; codes: readonly string[] },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<Redemptions.RedemptionRow[]> {
    return await Redemptions.findRedemptionsByPromotionsOrCodes(readerOf(sharedContext), refs)
  }

  /** The uses (checkout claims) matching `filter`, oldest first. */
  @InjectManager()
  async findRedemptionUses(filter: Redemptions.RedemptionUseFilter, @MedusaContext() sharedContext: Context = {}): Promise<Redemptions.RedemptionUseRow[]> {
    return await Redemptions.findRedemptionUses(readerOf(sharedContext), filter)
  }

  /** A customer's redemptions, newest first, and their count. */
  @InjectManager()
  async pageRedemptions(customer_id: string, page: { limit: number; offset: number }, @MedusaContext() sharedContext: Context = {}): Promise<[Redemptions.RedemptionRow[], number]> {
    const knex = readerOf(sharedContext)
    const { rows } = await knex.raw(
      `SELECT * FROM loyalty_redemption WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
      [customer_id, page.limit, page.offset]
    )
    const { rows: counted } = await knex.raw(`SELECT count(*)::int AS n FROM loyalty_redemption WHERE customer_id = ?`, [customer_id])
    return [rows.map(Redemptions.redemptionRow), counted[0].n]
  }

  /**
   * Debits the points and records the redemption in one transaction under the account lock: `check` decides from
   * the locked balance (INSUFFICIENT_POINTS), `draft` is the ledger entry. A concurrent request under the same key
   * that won the lock makes this a replay (its redemption returned).
   */
  @InjectTransactionManager()
  async redeemUnderLock(
    redemption: Redemptions.NewRedemption,
    check: (balance: number) => void,
    draft: EntryDraft,
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ redemption: Redemptions.RedemptionRow; entry: EntryRow; replayed: boolean }> {
    const knex = knexOf(sharedContext)
    let created: Redemptions.RedemptionRow | null = null
    const posted = await this.postUnderLock(redemption.customer_id, draft.idempotency_key, async ({ account }) => {
      check(account.points_balance)
      created = await Redemptions.insertRedemption(knex, redemption)
      return draft
    }, null, null, sharedContext)
    if (posted.replayed || !created) {
      const [stored] = await Redemptions.findRedemptions(knex, { idempotency_key: redemption.idempotency_key })
      return { redemption: stored, entry: posted.entry!, replayed: true }
    }
    return { redemption: created, entry: posted.entry!, replayed: false }
  }

  @InjectTransactionManager()
  async updateRedemptionStatus(id: string, status: "voided", @MedusaContext() sharedContext: Context = {}): Promise<void> {
    await knexOf(sharedContext).raw(`UPDATE loyalty_redemption SET status = ?, voided_at = now(), updated_at = now() WHERE id = ?`, [status, id])
  }

  /** A checkout's claim of its cart's redemption codes (Redemptions.claimCodes): throws the refusal, returns the codes it inserted. */
  @InjectTransactionManager()
  async claimRedemptions(
    input: { cart_id: string; customer_id: string | null; redemptions: string[]; now: Date },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<string[]> {
    return await Redemptions.claimCodes(knexOf(sharedContext), input)
  }

  @InjectTransactionManager()
  async releaseRedemptionClaims(cart_id: string, codes: string[], @MedusaContext() sharedContext: Context = {}): Promise<void> {
    await Redemptions.releaseCodes(knexOf(sharedContext), cart_id, codes)
  }

  /** reserved → settled by `order_id`, exactly once; null when it was not reserved. */
  @InjectTransactionManager()
  async settleRedemption(id: string, order_id: string, cart_id: string | null, now: Date = new Date(), @MedusaContext() sharedContext: Context = {}): Promise<Redemptions.RedemptionRow | null> {
    return await Redemptions.settleOne(knexOf(sharedContext), id, order_id, cart_id, now)
  }

  /**
   * The expiry of one redemption, under its row lock: a reserved code past expires_at that no checkout holds gets
   * its points back (`redemption_void`, key `redemption_void:{id}`, in this transaction) and becomes voided; a code
   * an order used is settled; a code a checkout holds without an order yet is left (its order settles it).
   */
  @InjectTransactionManager()
  async voidExpiredRedemption(
    id: string,
    now: Date,
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ outcome: "voided" | "settled" | "skipped"; redemption: Redemptions.RedemptionRow | null }> {
    const knex = knexOf(sharedContext)
    const r = await Redemptions.lockRedemption(knex, id)
    if (!r || r.status !== "reserved" || r.expires_at.getTime() > now.getTime()) return { outcome: "skipped", redemption: r ?? null }
    const use = await Redemptions.useOfCode(knex, r.code)
    if (use?.order_id) {
      return { outcome: "settled", redemption: await Redemptions.settleOne(knex, r.id, use.order_id, use.cart_id, now) }
    }
    if (use) return { outcome: "skipped", redemption: r }
    const key = EntryKeys.redemptionVoid(r.id)
    const code = { redemption_id: r.id, customer_id: r.customer_id, points: r.points, code: r.code, links: { promotion_id: r.promotion_id } }
    await this.postUnderLock(r.customer_id, key, () => redemptionVoidEntryDraft(code, "expired", { expires_at: r.expires_at }), null, null, sharedContext)
    const { rows } = await knex.raw(
      `UPDATE loyalty_redemption SET status = 'voided', voided_at = ?, updated_at = now() WHERE id = ? RETURNING *`,
      [now, r.id]
    )
    return { outcome: "voided", redemption: Redemptions.redemptionRow(rows[0]) }
  }

  private findRulebook(): Rulebook | null {
    try {
      return this.getRulebook()
    } catch {
      return null
    }
  }
}

/** Medusa passes module options plus its own keys; the plugin options schema is strict, so keep only ours. */
function pickPluginOptions(options: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {}
  for (const key of ["rules_dir", "auto_enroll", "watch_rules"]) if (options?.[key] !== undefined) picked[key] = options[key]
  return picked
}

/**
 * An account row as read: points_lifetime is bigint, which pg returns as a string (exact: the core's planPosting
 * keeps it below 2^53).
 */
function accountRow(row: any): AccountRow {
  return { ...row, points_lifetime: Number(row.points_lifetime) }
}

/**
 * The bindings of the 365-day window of member facts: the lifetime kinds' points in entries created in
 * (now − MEMBER_WINDOW_DAYS, now].
 */
function windowParams(now: Date): unknown[] {
  return [[...LIFETIME_KINDS], new Date(now.getTime() - MEMBER_WINDOW_DAYS * DAY_MS), now]
}

/**
 * Member facts from the account and the ledger as `knex`'s transaction sees them (the caller holds the lock when it
 * decides a tier), plus the caller's customer/order context (lib/member-facts.ts reads that half through Query).
 */
async function memberFactsUnder(knex: Knex, account: AccountRow | null, customer_id: string, context: MemberContext, now: Date): Promise<MemberFacts> {
  const { rows } = await knex.raw(
    `SELECT COALESCE(SUM(points), 0)::float8 AS n FROM loyalty_ledger_entry
      WHERE customer_id = ? AND kind = ANY(?) AND created_at > ? AND created_at <= ?`,
    [customer_id, ...windowParams(now)]
  )
  return factsOf(account, customer_id, Number(rows[0]?.n ?? 0), context, now)
}

function factsOf(account: AccountRow | null, customer_id: string, points_last_365d: number, context: MemberContext, now: Date): MemberFacts {
  return {
    customer_id,
    points_lifetime: account?.points_lifetime ?? 0,
    points_balance: account?.points_balance ?? 0,
    tier: account?.tier ?? null,
    orders_count: context.orders_count,
    points_last_365d,
    spend_last_365d_minor: context.spend_last_365d_minor,
    group_ids: context.group_ids,
    created_at: new Date(context.created_at ?? account?.created_at ?? now).toISOString(),
  }
}

function knexOf(sharedContext: Context): Knex {
  const manager = sharedContext.transactionManager as { getTransactionContext?: () => Knex } | undefined
  const knex = manager?.getTransactionContext?.()
  if (!knex) {
    // A FOR UPDATE on an autocommit connection would release the lock at once: refuse rather than not serialize.
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, "loyalty ledger writes must run inside a transaction")
  }
  return knex
}

/** For reads: the caller's transaction when there is one, else the module's connection pool (autocommit). */
function readerOf(sharedContext: Context): Knex {
  const manager = (sharedContext.transactionManager ?? sharedContext.manager) as { getTransactionContext?: () => Knex | undefined; getKnex?: () => Knex }
  const knex = manager?.getTransactionContext?.() ?? manager?.getKnex?.()
  if (!knex) throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, "no database manager in the loyalty module's context")
  return knex
}

async function lockAccount(knex: Knex, customer_id: string): Promise<AccountRow | null> {
  const { rows } = await knex.raw(`SELECT * FROM loyalty_account WHERE customer_id = ? FOR UPDATE`, [customer_id])
  return rows[0] ? accountRow(rows[0]) : null
}

async function appendEntry(knex: Knex, account: AccountRow, draft: EntryDraft, posting: Posting): Promise<EntryRow> {
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

function newId(prefix: string): string {
  return generateEntityId(undefined, prefix)
}

export default LoyaltyModuleService
