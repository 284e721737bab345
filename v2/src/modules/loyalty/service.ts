import type { Context, Logger } from "@medusajs/framework/types"
import { watchRulesDir } from "../../core/utils/rules-watcher"
import { reloadRefusal } from "../../core/domain/http/rules-admin"
import { checkAttach, normalizeReferralCode, referralCode } from "../../core/domain/program/referral"
import { expiryReminder, nextExpiry, pointsExpiringEvent, type PointsExpiringEvent } from "../../core/domain/ledger/expiry"
import * as Referrals from "./stores/referrals"
import * as Reminders from "./stores/reminders"
import { InjectManager, InjectTransactionManager, MedusaContext, MedusaService } from "@medusajs/framework/utils"
import { LoyaltyError, LoyaltyErrorCodes } from "../../core/domain/shared/errors"
import type { EntryDraft } from "../../core/domain/ledger/ledger"
import { postOnce, postUnderLock, type LedgerPort } from "../../core/domain/ledger/locked-posting"
import { VerifyAccumulator, duplicateKeyProblems, type VerifyReport } from "../../core/domain/ledger/verify"
import type { MemberFacts } from "../../core/domain/rules/facts"
import { recomputeTier } from "../../core/domain/program/tiers"
import { accountRowFacts, tierDecidedByAccountRow } from "../../core/domain/program/member-inputs"
import type { Rulebook } from "../../core/domain/rules/rulebook"
import type { RulebookState } from "../../core/domain/rules/rulebook-state"
import type { ActivityDay } from "../../core/domain/reports/stats"
import type { BacktestWindow, StoreBacktest } from "../../core/utils/backtest-source"
import { parsePluginOptions, type PluginOptions } from "../../core/domain/shared/options"
import { EntryKeys } from "../../core/domain/ledger/entry-keys"
import { compensationEntryDraft } from "../../core/domain/ledger/adjustment"
import { negativeBalanceVoidDraft, redemptionVoidEntryDraft } from "../../core/domain/ledger/redemption"
import { defaultRulesDir, liveRulebook, reloadRules, rulesState } from "../../lib/rules"
import LoyaltyAccount from "./models/loyalty-account"
import LoyaltyLedgerEntry from "./models/loyalty-ledger-entry"
import LoyaltyRulebook from "./models/loyalty-rulebook"
import LoyaltyTierChange from "./models/loyalty-tier-change"
import LoyaltyPromotion from "./models/loyalty-promotion"
import { LoyaltyRedemption, LoyaltyRedemptionUse } from "./models/loyalty-redemption"
import { factsOf, NO_CONTEXT } from "./member-facts"
import { inOwnTransaction, readerOf, transactionOf, type Knex, type Page, type PoolKnex } from "./stores/knex"
import * as Accounts from "./stores/accounts"
import * as Ledger from "./stores/ledger"
import * as Promotions from "./stores/promotions"
import * as Redemptions from "./stores/redemptions"
import * as Reports from "./stores/reports"
import * as Rulebooks from "./stores/rulebooks"
import * as Tiers from "./stores/tiers"
import * as Actions from "./stores/actions"
import type { ActionFilter, ActionRow, NewAction } from "./stores/actions"
import { actionReplay } from "../../core/domain/ledger/action"
import { birthdayChanged } from "../../core/domain/program/birthday"
import type { PastAward } from "../../core/domain/program/action"
import type {
  AccountListFilter,
  AccountRow,
  EntryRow,
  LockedContext,
  MemberContext,
  MemberContextSource,
  PendingOrderRow,
  PostResult,
  RedemptionFilter,
  RedemptionRow,
  RedemptionUseFilter,
  RedemptionUseRow,
  NewRedemption,
  TierChangeEvent,
  TierChangeRow,
  TierReevaluation,
  TrackedPromotion,
  TrackedPromotionRow,
} from "./types"

export type {
  AccountListFilter,
  AccountRow,
  EntryRow,
  LockedContext,
  MemberContext,
  MemberContextSource,
  NewRedemption,
  Page,
  PendingOrderRow,
  PostResult,
  RedemptionFilter,
  RedemptionRow,
  RedemptionUseFilter,
  RedemptionUseRow,
  TierChangeEvent,
  TierChangeRow,
  TierReevaluation,
  TrackedPromotion,
  TrackedPromotionRow,
} from "./types"

/**
 * The loyalty module: accounts, the append-only ledger and stored rulebook versions. The only writer of balances
 * is `postUnderLock`: it locks the account row (SELECT … FOR UPDATE), checks the idempotency key, lets the caller
 * decide the draft from what the ledger holds, and appends the entry and moves the cached balances in the same
 * transaction. The points arithmetic is the core's (planPosting, payloadHash, assertReplay); the SQL is the stores'
 * (./stores, one per table).
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
    if (this.pluginOptions_.watch_rules) this.watchRules(container.logger as Logger)
  }

  /**
   * `watch_rules: true`: each save in the rules directory reloads the rulebook as POST /admin/loyalty/rules/reload
   * does (a broken file is refused with located issues and the previous version stays live; a valid one is stored by
   * version). The member promotions follow at the next reload route or reconcile: a module reaches no other module.
   */
  private watchRules(logger: Logger): void {
    const dir = this.pluginOptions_.rules_dir
    try {
      watchRulesDir(dir, async () => {
        const state = this.reloadRules()
        if (!state.error) await this.rememberRulebook(state)
        return { ok: !state.error, message: state.error ? reloadRefusal(state) : undefined, rules: { version: state.rulebook?.version ?? null } }
      }, logger)
      logger.info(`medusa-plugin-loyalty-rules-v2: watching ${dir} for rule changes`)
    } catch (e) {
      logger.warn(`medusa-plugin-loyalty-rules-v2: cannot watch ${dir} (${(e as Error).message}); use POST /admin/loyalty/rules/reload`)
    }
  }

  get pluginOptions(): PluginOptions {
    return this.pluginOptions_
  }

  // ── Rules ──

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
    await Rulebooks.rememberRulebook(transactionOf(sharedContext), {
      version: state.rulebook.version,
      files: state.sources,
      loaded_at: state.loaded_at ?? new Date(0),
    })
  }

  // ── Accounts and member facts ──

  /** The account of a customer, opened when missing; `created` tells whether this call opened it. */
  @InjectTransactionManager()
  async ensureAccount(
    customer_id: string,
    member: MemberContextSource | null = null,
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ account: AccountRow; created: boolean; tier_change?: TierChangeEvent | null }> {
    const knex = transactionOf(sharedContext)
    const inserted = await Accounts.insertAccount(knex, customer_id)
    if (inserted) {
      // A new member gets their tier at once (the base tier on the default ladder); the trigger "enrolled" tells the
      // tier history why.
      const { account, tier_change } = await this.applyTier(knex, inserted, { correction: false, member, reason: "enrolled" })
      return { account, created: true, tier_change }
    }
    return { account: (await Accounts.findAccount(knex, customer_id))!, created: false }
  }

  /** A read: no transaction of its own (see accountFacts). */
  @InjectManager()
  async findAccount(customer_id: string, @MedusaContext() sharedContext: Context = {}): Promise<AccountRow | null> {
    return await Accounts.findAccount(readerOf(sharedContext), customer_id)
  }

  /**
   * A member's facts (the core's MemberFacts, core/domain/rules/facts.ts): the ledger figures read here
   * (accountFacts' one statement, in the caller's transaction if any), plus the customer/order `context` the caller
   * read through Query.
   */
  /** The member's awarded actions (for action limits): when each occurred and which rules awarded it. */
  @InjectManager()
  async pastAwards(customer_id: string, @MedusaContext() sharedContext: Context = {}): Promise<PastAward[]> {
    return await Actions.pastAwards(readerOf(sharedContext), customer_id)
  }

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
    const found = await Accounts.accountWithWindowPoints(readerOf(sharedContext), customer_id, Ledger.memberWindow(now))
    if (!found) return null
    return { account: found.account, facts: factsOf(found.account, customer_id, found.window_points, context, now) }
  }

  /** Customer ids of accounts after `after` (keyset page, ascending); `positive_balance` keeps those with points to expire. */
  @InjectManager()
  async accountIdsPage(page: { after: string; limit: number; positive_balance?: boolean }, @MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    return await Accounts.accountIdsPage(readerOf(sharedContext), page)
  }

  /** Every member's customer id (reconcile re-syncs their promotion groups). */
  @InjectManager()
  async memberIds(@MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    return await Accounts.memberIds(readerOf(sharedContext))
  }

  /** Accounts newest first; `customer_ids` restricts the list (the route resolves an email search to ids), `tier` the tier. */
  @InjectManager()
  async pageAccounts(filter: AccountListFilter, page: Page, @MedusaContext() sharedContext: Context = {}): Promise<[AccountRow[], number]> {
    return await Accounts.pageAccounts(readerOf(sharedContext), filter, page)
  }

  // ── The locked write ──

  /**
   * The core's postUnderLock (src/domain/ledger/locked-posting.ts) on this module's tables: locks the customer's account
   * (opening it when missing), then, unless an entry exists under `idempotency_key` (returned as a replay), asks
   * `decide` for the draft to append, under the lock; null writes nothing. The tier changes the write caused come
   * back for the calling workflow to emit once it has succeeded.
   * In the caller's transaction when the shared context carries one; else in a transaction of its own whose BEGIN
   * travels with the lock and the entries read (inOwnTransaction, lockAccountWithEntries): BEGIN, lock and read cost
   * one round trip, the append one, COMMIT one.
   */
  @InjectManager()
  async postUnderLock(
    customer_id: string,
    idempotency_key: string,
    decide: (ctx: LockedContext) => EntryDraft | null | Promise<EntryDraft | null>,
    order_id: string | null = null,
    member: MemberContextSource | null = null,
    @MedusaContext() sharedContext: Context = {}
  ): Promise<PostResult> {
    const post = (knex: Knex, context: Context) => this.postUnderLockIn(knex, { customer_id, idempotency_key, order_id }, decide, member, context)
    if (sharedContext.transactionManager) return await post(transactionOf(sharedContext), sharedContext)
    return await inOwnTransaction(readerOf(sharedContext) as unknown as PoolKnex, (trx) =>
      // The nested module calls (opening the account) join this transaction through the context.
      post(trx, { ...sharedContext, transactionManager: { getTransactionContext: () => trx } })
    )
  }

  /** postUnderLock on `knex`, a transaction the posting runs in (the caller's or its own). */
  private async postUnderLockIn(
    knex: Knex,
    { customer_id, idempotency_key, order_id }: { customer_id: string; idempotency_key: string; order_id: string | null },
    decide: (ctx: LockedContext) => EntryDraft | null | Promise<EntryDraft | null>,
    member: MemberContextSource | null,
    sharedContext: Context
  ): Promise<PostResult> {
    const tier_changes: TierChangeEvent[] = []
    const result = await postUnderLock(this.port(knex, member, tier_changes, sharedContext), { customer_id, idempotency_key, order_id }, ({ account, orderEntries }) =>
      decide({ account, orderEntries, accountEntries: () => Ledger.accountEntries(knex, account.id) })
    )
    return result.replayed ? result : { ...result, tier_changes }
  }

  /** Appends `draft` exactly once per idempotency key: an exact replay returns the stored entry, anything else is a conflict. */
  @InjectTransactionManager()
  async post(draft: EntryDraft, member: MemberContextSource | null = null, @MedusaContext() sharedContext: Context = {}): Promise<PostResult & { entry: EntryRow }> {
    const tier_changes: TierChangeEvent[] = []
    const result = await postOnce(this.port(transactionOf(sharedContext), member, tier_changes, sharedContext), draft)
    return result.replayed ? result : { ...result, tier_changes }
  }

  /** The ledger's storage in the caller's transaction, as the core's locked write needs it; tier changes are collected. */
  private port(knex: Knex, member: MemberContextSource | null, tier_changes: TierChangeEvent[], sharedContext: Context): LedgerPort<AccountRow, EntryRow> {
    return {
      lockAccount: (customer_id) => Accounts.lockAccount(knex, customer_id),
      lockWithEntries: (customer_id, idempotency_key, order_id) => Ledger.lockAccountWithEntries(knex, customer_id, idempotency_key, order_id),
      openAccount: async (customer_id) => {
        const opened = await this.ensureAccount(customer_id, member, sharedContext)
        if (opened.tier_change) tier_changes.push(opened.tier_change)
      },
      entriesByKey: (idempotency_key, order_id) => Ledger.entriesByKeyOrOrder(knex, idempotency_key, order_id),
      // One statement: the entry, the balances and (the first time) the files of the rulebook version it names.
      append: (account, draft, posting) => Ledger.appendEntryMovingBalances(knex, account, draft, posting, this.rulebookToStore(draft.rulebook_version)),
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

  // ── Tiers ──

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
    // Tiers that read only the account row (the core's tierDecidedByAccountRow) are decided from the locked row: no
    // member context, no window query. Otherwise the customer/order half from `member`, the ledger half as this
    // transaction sees it (the caller holds the lock).
    const facts = tierDecidedByAccountRow(rulebook)
      ? accountRowFacts(account)
      : factsOf(account, account.customer_id, await Ledger.windowPoints(knex, account.customer_id, Ledger.memberWindow(now)), member ? await member() : NO_CONTEXT, now)
    const below_since = account.tier_below_since ? new Date(account.tier_below_since) : null
    const r = recomputeTier(rulebook, { tier: account.tier, tier_below_since: below_since }, facts, { trigger: reason, correction, now })!
    if (!r.store) return unchanged
    const stored = await Accounts.storeTier(knex, account.id, r.to, r.decision.below_since)
    if (!r.changed) return { account: stored, change: "none", tier_change: null }
    // The tier history, in the posting's transaction: it exists exactly when the change does.
    await Tiers.insertTierChange(knex, { customer_id: account.customer_id, from_tier: r.from, to_tier: r.to, reason: r.reason, rulebook_version: rulebook.version })
    // The workflow that called emits it (loyalty.tier_changed) once it has succeeded: see workflows/tiers/events.ts.
    const tier_change = { customer_id: account.customer_id, from: r.from, to: r.to, reason: r.reason, rulebook_version: rulebook.version }
    return { account: stored, change: r.decision.change, tier_change }
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
    const knex = transactionOf(sharedContext)
    const account = await Accounts.lockAccount(knex, customer_id)
    if (!account) return null
    const { account: next, change, tier_change } = await this.applyTier(knex, account, { correction: false, member, reason: "reevaluation", now })
    return { from: account.tier, to: next.tier, change, tier_change }
  }

  /** A customer's tier changes, oldest first. */
  @InjectManager()
  async tierHistory(customer_id: string, @MedusaContext() sharedContext: Context = {}): Promise<TierChangeRow[]> {
    return await Tiers.tierHistory(readerOf(sharedContext), customer_id)
  }

  /** Accounts per tier code: GET /admin/loyalty/tiers' member_count. */
  @InjectManager()
  async membersPerTier(@MedusaContext() sharedContext: Context = {}): Promise<Map<string, number>> {
    return await Accounts.membersPerTier(readerOf(sharedContext))
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
    if (!(await Accounts.tryMemberSyncLock(transactionOf(sharedContext), customer_id))) return { locked: false }
    return { locked: true, value: await work() }
  }

  // ── Ledger reads ──

  /**
   * Orders (all, or just `order_id`) with pending points left and what their accrual was awarded under: activation's
   * ledger half (the order's side is read through Query by the activation job).
   */
  @InjectManager()
  async pendingOrders(order_id: string | null = null, @MedusaContext() sharedContext: Context = {}): Promise<PendingOrderRow[]> {
    return await Ledger.pendingOrders(readerOf(sharedContext), order_id)
  }

  /** Which of `keys` have a ledger entry (reconcile's probe of the events the ledger has seen). */
  @InjectManager()
  async existingKeys(keys: string[], @MedusaContext() sharedContext: Context = {}): Promise<Set<string>> {
    return await Ledger.existingKeys(readerOf(sharedContext), keys)
  }

  @InjectManager()
  async findEntry(id: string, @MedusaContext() sharedContext: Context = {}): Promise<EntryRow | null> {
    return await Ledger.findEntry(readerOf(sharedContext), id)
  }

  @InjectManager()
  async findEntryByKey(key: string, @MedusaContext() sharedContext: Context = {}): Promise<EntryRow | null> {
    return await Ledger.findEntryByKey(readerOf(sharedContext), key)
  }

  /** A customer's entries, newest first, and their count. */
  @InjectManager()
  async pageEntries(customer_id: string, page: Page, @MedusaContext() sharedContext: Context = {}): Promise<[EntryRow[], number]> {
    return await Ledger.pageEntries(readerOf(sharedContext), customer_id, page)
  }

  /**
   * Ledger integrity (the core's checks) over the accounts and entries. The reads must agree with each other, or a
   * posting that commits between them (an order.placed handled meanwhile) shows as drift: they run in one REPEATABLE
   * READ transaction, one snapshot (the database's default READ COMMITTED gives each statement its own).
   */
  async verifyLedger(sharedContext: Context = {}): Promise<VerifyReport> {
    return await this.verifyLedgerInSnapshot({ ...sharedContext, isolationLevel: SNAPSHOT_ISOLATION })
  }

  @InjectTransactionManager()
  protected async verifyLedgerInSnapshot(@MedusaContext() sharedContext: Context = {}): Promise<VerifyReport> {
    const ledger = await Ledger.ledgerForVerify(transactionOf(sharedContext))
    const acc = new VerifyAccumulator()
    for (const a of ledger.accounts) acc.addAccount(a, ledger.entries_by_account.get(a.id) ?? [])
    acc.addProblems(duplicateKeyProblems(ledger.duplicated))
    return acc.report()
  }

  // ── Reports ──

  /** The activity chart: points per UTC day of `from`..`to` by bucket, and the outstanding points at each day's end. */
  @InjectManager()
  async activity(from: string, to: string, @MedusaContext() sharedContext: Context = {}): Promise<ActivityDay[]> {
    return await Reports.activity(readerOf(sharedContext), from, to)
  }

  /** Accounts per tier code, null for accounts without a tier: the tier chart's counts. */
  @InjectManager()
  async accountsPerTier(@MedusaContext() sharedContext: Context = {}): Promise<Map<string | null, number>> {
    return await Reports.accountsPerTier(readerOf(sharedContext))
  }

  /**
   * The backtest's store half (accruals, recorded actions, members now) read in one READ ONLY REPEATABLE READ
   * snapshot, as the CLI reads it: nothing can be written, and postings landing meanwhile cannot show up half-way.
   */
  async backtest(rulebook: Rulebook, window: BacktestWindow, now: Date, sharedContext: Context = {}): Promise<StoreBacktest> {
    return await this.backtestInSnapshot(rulebook, window, now, { ...sharedContext, isolationLevel: SNAPSHOT_ISOLATION })
  }

  @InjectTransactionManager()
  protected async backtestInSnapshot(rulebook: Rulebook, window: BacktestWindow, now: Date, @MedusaContext() sharedContext: Context = {}): Promise<StoreBacktest> {
    const knex = transactionOf(sharedContext)
    await knex.raw("SET TRANSACTION READ ONLY")
    return await Reports.backtest(knex, rulebook, window, now)
  }

  // ── Member promotions ──

  /** The member promotions this plugin created (the only v2 promotions it ever changes), by code. */
  @InjectManager()
  async trackedPromotions(@MedusaContext() sharedContext: Context = {}): Promise<TrackedPromotionRow[]> {
    return await Promotions.trackedPromotions(readerOf(sharedContext))
  }

  /** Records what reconcile made of a promotion code (insert or update by code). */
  @InjectTransactionManager()
  async trackPromotion(row: TrackedPromotion, @MedusaContext() sharedContext: Context = {}): Promise<void> {
    await Promotions.trackPromotion(transactionOf(sharedContext), row)
  }

  // ── Redemptions (points → a personal single-use promotion code; workflows/redemption/) ──

  /** The redemptions matching `filter`, oldest first. */
  @InjectManager()
  async findRedemptions(filter: RedemptionFilter, @MedusaContext() sharedContext: Context = {}): Promise<RedemptionRow[]> {
    return await Redemptions.findRedemptions(readerOf(sharedContext), filter)
  }

  /** The redemptions a cart or an order carries: by its promotions' ids or by its adjustments' codes, oldest first. */
  @InjectManager()
  async findRedemptionsByPromotionsOrCodes(
    refs: { promotion_ids: readonly string[]; codes: readonly string[] },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<RedemptionRow[]> {
    return await Redemptions.findRedemptionsByPromotionsOrCodes(readerOf(sharedContext), refs)
  }

  /** The uses (checkout claims) matching `filter`, oldest first. */
  @InjectManager()
  async findRedemptionUses(filter: RedemptionUseFilter, @MedusaContext() sharedContext: Context = {}): Promise<RedemptionUseRow[]> {
    return await Redemptions.findRedemptionUses(readerOf(sharedContext), filter)
  }

  /** A customer's redemptions, newest first, and their count. */
  @InjectManager()
  async pageRedemptions(customer_id: string, page: Page, @MedusaContext() sharedContext: Context = {}): Promise<[RedemptionRow[], number]> {
    return await Redemptions.pageRedemptions(readerOf(sharedContext), customer_id, page)
  }

  /**
   * Debits the points and records the redemption in one transaction under the account lock: `check` decides from
   * the locked balance (INSUFFICIENT_POINTS), `draft` is the ledger entry. A concurrent request under the same key
   * that won the lock makes this a replay (its redemption returned).
   */
  @InjectTransactionManager()
  async redeemUnderLock(
    redemption: NewRedemption,
    check: (balance: number) => void,
    draft: EntryDraft,
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ redemption: RedemptionRow; entry: EntryRow; replayed: boolean }> {
    const knex = transactionOf(sharedContext)
    let created: RedemptionRow | null = null
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
    if (status === "voided") await Redemptions.voidRedemption(transactionOf(sharedContext), id)
  }

  /** A checkout's claim of its cart's redemption codes (Redemptions.claimCodes): throws the refusal, returns the codes it inserted. */
  @InjectTransactionManager()
  async claimRedemptions(
    input: { cart_id: string; customer_id: string | null; redemptions: string[]; now: Date },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<string[]> {
    return await Redemptions.claimCodes(transactionOf(sharedContext), input)
  }

  @InjectTransactionManager()
  async releaseRedemptionClaims(cart_id: string, codes: string[], @MedusaContext() sharedContext: Context = {}): Promise<void> {
    await Redemptions.releaseCodes(transactionOf(sharedContext), cart_id, codes)
  }

  /** reserved → settled by `order_id`, exactly once; null when it was not reserved. */
  @InjectTransactionManager()
  async settleRedemption(id: string, order_id: string, cart_id: string | null, now: Date = new Date(), @MedusaContext() sharedContext: Context = {}): Promise<RedemptionRow | null> {
    return await Redemptions.settleOne(transactionOf(sharedContext), id, order_id, cart_id, now)
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
  ): Promise<{ outcome: "voided" | "settled" | "skipped"; redemption: RedemptionRow | null }> {
    const knex = transactionOf(sharedContext)
    const r = await Redemptions.lockRedemption(knex, id)
    if (!r || r.status !== "reserved" || r.expires_at.getTime() > now.getTime()) return { outcome: "skipped", redemption: r }
    const use = await Redemptions.useOfCode(knex, r.code)
    if (use?.order_id) {
      return { outcome: "settled", redemption: await Redemptions.settleOne(knex, r.id, use.order_id, use.cart_id, now) }
    }
    if (use) return { outcome: "skipped", redemption: r }
    const key = EntryKeys.redemptionVoid(r.id)
    const code = { redemption_id: r.id, customer_id: r.customer_id, points: r.points, code: r.code, links: { promotion_id: r.promotion_id } }
    await this.postUnderLock(r.customer_id, key, () => redemptionVoidEntryDraft(code, "expired", { expires_at: r.expires_at }), null, null, sharedContext)
    return { outcome: "voided", redemption: await Redemptions.voidRedemption(knex, r.id, now) }
  }

  /**
   * After a cancel or refund clawback took the member's balance below zero: their unused codes, newest first, each
   * give their points back (`redemption_void`, key `redemption_void:{id}`, as for an expired code) and become voided,
   * until the locked balance is no longer negative (the core's negativeBalanceVoidDraft) or none is left. Returns the
   * codes voided (their promotions are switched off by the caller: a module reaches no other module).
   */
  @InjectTransactionManager()
  async voidUnusedWhileNegative(customer_id: string, now: Date, @MedusaContext() sharedContext: Context = {}): Promise<RedemptionRow[]> {
    const knex = transactionOf(sharedContext)
    const voided: RedemptionRow[] = []
    for (const r of await Redemptions.lockUnusedNewestFirst(knex, customer_id)) {
      const code = { redemption_id: r.id, customer_id: r.customer_id, points: r.points, code: r.code, links: { promotion_id: r.promotion_id } }
      const posted = await this.postUnderLock(customer_id, EntryKeys.redemptionVoid(r.id), ({ account }) => negativeBalanceVoidDraft(code, Number(account.points_balance)), null, null, sharedContext)
      if (!posted.entry || posted.replayed) break
      const row = await Redemptions.voidRedemption(knex, r.id, now)
      if (row) voided.push(row)
    }
    return voided
  }

  // ── Referrals and expiry reminders (workflows/referrals/, workflows/jobs/expire.ts) ──

  /** The member's referral code (the core's referralCode: the same every time), stored so that a typed code finds its owner. */
  @InjectTransactionManager()
  async referralCodeOf(customer_id: string, @MedusaContext() sharedContext: Context = {}): Promise<string> {
    const code = referralCode(customer_id)
    const stored = await Referrals.rememberCode(transactionOf(sharedContext), customer_id, code)
    if (!stored) throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `referral code ${code} collides with another member's`)
    return stored
  }

  /** The code a member attached, or null. */
  @InjectManager()
  async findReferral(referred_id: string, @MedusaContext() sharedContext: Context = {}): Promise<Referrals.ReferralRow | null> {
    return await Referrals.findReferral(readerOf(sharedContext), referred_id)
  }

  /**
   * Attaches a friend's code to a member, once ever: the core's checkAttach over what this transaction sees (an
   * earlier attach, the code's owner) and the caller's customer facts (signed up, orders placed); the primary key
   * refuses a concurrent second attach with the same code as a sequential one.
   */
  @InjectTransactionManager()
  async attachReferral(
    input: { referred_id: string; code: string; signed_up_at: Date; orders: number; attach_within_days: number; now: Date },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<Referrals.ReferralRow> {
    const knex = transactionOf(sharedContext)
    const { referred_id, now } = input
    const code = normalizeReferralCode(input.code)
    const owner = await Referrals.ownerOfCode(knex, code)
    const attached = await Referrals.findReferral(knex, referred_id)
    const referrer_id = checkAttach({
      referred_id, referrer_id: owner ?? (code === referralCode(referred_id) ? referred_id : null), code, signed_up_at: input.signed_up_at,
      attached_code: attached?.code ?? null, orders: input.orders, attach_within_days: input.attach_within_days, now,
    })
    const row = await Referrals.insertReferral(knex, { referred_id, referrer_id, code, attached_at: now })
    if (!row) throw new LoyaltyError(LoyaltyErrorCodes.REFERRAL_ALREADY_ATTACHED, "A referral code is already attached to this account; it cannot be changed")
    return row
  }

  /**
   * The member's next points to expire and when (the core's nextExpiry over every movement of the account, FIFO), or
   * null when nothing is left to expire or the program never expires points.
   */
  @InjectManager()
  async nextExpiryOf(
    customer_id: string,
    now: Date,
    after_months: number | null,
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ points: number; expires_at: Date } | null> {
    if (after_months === null) return null
    const knex = readerOf(sharedContext)
    const account = await Accounts.findAccount(knex, customer_id)
    if (!account) return null
    const movements = (await Ledger.accountEntries(knex, account.id)).map((e) => ({ points: e.points, kind: e.kind, created_at: new Date(e.created_at) }))
    return nextExpiry(movements, now, after_months)
  }

  /**
   * The expiry reminder due for a member at `now` (the core's nextExpiry and expiryReminder over the account's
   * movements), recorded once per member and expiry date: its `loyalty.points_expiring` payload, or null when none is
   * due or this expiry date was reminded before.
   */
  @InjectTransactionManager()
  async recordExpiryReminder(
    customer_id: string,
    now: Date,
    policy: { after_months: number; reminder_days: number },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<PointsExpiringEvent | null> {
    const knex = transactionOf(sharedContext)
    const account = await Accounts.findAccount(knex, customer_id)
    if (!account) return null
    const movements = (await Ledger.accountEntries(knex, account.id)).map((e) => ({ points: e.points, kind: e.kind, created_at: new Date(e.created_at) }))
    const reminder = expiryReminder(nextExpiry(movements, now, policy.after_months), now, policy.reminder_days)
    if (!reminder) return null
    const recorded = await Reminders.insertReminder(knex, { customer_id, expires_on: reminder.expires_on, points: reminder.points, expires_at: reminder.expires_at })
    return recorded ? pointsExpiringEvent(customer_id, reminder, Number(account.points_balance)) : null
  }

  /** Pending action awards tied to an order (a referral's), not activated nor taken back: all, one order's, or one entry. */
  @InjectManager()
  async pendingAwards(by: { order_id: string | null; entry_id: string | null }, @MedusaContext() sharedContext: Context = {}): Promise<Referrals.PendingAwardRow[]> {
    return await Referrals.pendingAwards(readerOf(sharedContext), by)
  }

  /** The referral reconcile's candidates: referred members without awards, and orders with awards not taken back. */
  @InjectManager()
  async referralReconcileCandidates(@MedusaContext() sharedContext: Context = {}): Promise<{ referred_ids: string[]; awarded_order_ids: string[] }> {
    const knex = readerOf(sharedContext)
    return { referred_ids: await Referrals.referredWithoutAwards(knex), awarded_order_ids: await Referrals.ordersWithUnreversedReferralAwards(knex) }
  }

  // ── Earning actions (workflows/actions/) ──

  /**
   * Records an earning action once per type + reference, under the member's account lock (the core's postUnderLock):
   * `decide` gets the member's facts and earlier awards as this transaction sees them and returns the action row and
   * the entry to post (the core's evaluateAction + actionDecision); the row is inserted in the same transaction. An
   * action already recorded answers it again when `payload_hash` matches, IDEMPOTENCY_CONFLICT otherwise (actionReplay).
   */
  @InjectTransactionManager()
  async reportActionUnderLock(
    report: { customer_id: string; type: string; reference: string; payload_hash: string; now: Date; context: MemberContext },
    decide: (locked: { facts: MemberFacts; past: PastAward[] }) => { draft: EntryDraft | null; action: NewAction },
    member: MemberContextSource | null = null,
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ action: ActionRow; entry: EntryRow | null; replayed: boolean; tier_changes?: TierChangeEvent[] }> {
    const knex = transactionOf(sharedContext)
    const { customer_id, type, reference, payload_hash, now } = report
    const key = EntryKeys.action(type, reference)
    let existing: ActionRow | null = null
    let decided: NewAction | null = null
    const posted = await this.postUnderLock(customer_id, key, async ({ account }) => {
      existing = await Actions.findAction(knex, type, reference)
      if (existing) return null
      const points = await Ledger.windowPoints(knex, customer_id, Ledger.memberWindow(now))
      const decision = decide({ facts: factsOf(account, customer_id, points, report.context, now), past: await Actions.pastAwards(knex, customer_id) })
      decided = decision.action
      return decision.draft
    }, null, member, sharedContext)
    if (posted.replayed) return { action: actionReplay(await Actions.findAction(knex, type, reference), payload_hash, key), entry: posted.entry, replayed: true }
    if (existing) return { action: actionReplay<ActionRow>(existing, payload_hash, key), entry: null, replayed: true }
    const action = await Actions.insertAction(knex, { ...decided!, entry_id: posted.entry?.id ?? null })
    return { action, entry: posted.entry, replayed: false, tier_changes: posted.tier_changes }
  }

  /** Recorded actions, newest first, and their count. */
  @InjectManager()
  async pageActions(filter: ActionFilter, page: Page, @MedusaContext() sharedContext: Context = {}): Promise<[ActionRow[], number]> {
    return await Actions.pageActions(readerOf(sharedContext), filter, page)
  }

  /** Which birthday references (`<customer>:<year>`) are decided already. */
  @InjectManager()
  async recordedActionReferences(type: string, references: string[], @MedusaContext() sharedContext: Context = {}): Promise<Set<string>> {
    return await Actions.recordedReferences(readerOf(sharedContext), type, references)
  }

  /** When each customer's birthday was last set or changed (absent: never seen to change). */
  @InjectManager()
  async lastBirthdayChanges(customer_ids: string[], @MedusaContext() sharedContext: Context = {}): Promise<Map<string, Date>> {
    return await Actions.lastBirthdayChanges(readerOf(sharedContext), customer_ids)
  }

  /**
   * A customer's birthday as of `at` (their updated_at): one row when it differs from the one in force then (the
   * core's birthdayChanged), under a per-customer lock so concurrent deliveries of one update record it once.
   */
  @InjectTransactionManager()
  async recordBirthdayChange(customer_id: string, birthday: string | null, at: Date, @MedusaContext() sharedContext: Context = {}): Promise<boolean> {
    const knex = transactionOf(sharedContext)
    await Actions.lockBirthdayChanges(knex, customer_id)
    if (!birthdayChanged(await Actions.birthdayAt(knex, customer_id, at), birthday)) return false
    await Actions.insertBirthdayChange(knex, { customer_id, birthday, changed_at: at })
    return true
  }

  /** The live rulebook's files when `version` is the live one (an entry decided under it stores them with it), else null. */
  private rulebookToStore(version: string | null | undefined): Rulebooks.StoredRulebook | null {
    if (!version) return null
    const state = this.rulesState()
    if (state.rulebook?.version !== version) return null
    return { version, files: state.sources, loaded_at: state.loaded_at ?? new Date(0) }
  }

  private findRulebook(): Rulebook | null {
    try {
      return this.getRulebook()
    } catch {
      return null
    }
  }
}

/** knex's spelling of REPEATABLE READ (it refuses any other): one snapshot for every statement of the transaction. */
const SNAPSHOT_ISOLATION = "repeatable read"

/** Medusa passes module options plus its own keys; the plugin options schema is strict, so keep only ours. */
function pickPluginOptions(options: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {}
  for (const key of ["rules_dir", "auto_enroll", "watch_rules"]) if (options?.[key] !== undefined) picked[key] = options[key]
  return picked
}

export default LoyaltyModuleService
