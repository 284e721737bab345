import { CustomerGroupService, generateEntityId, TransactionBaseService } from "@medusajs/medusa"
import { EntityManager, MoreThan } from "typeorm"
import { MEMBER_WINDOW_DAYS, type MemberFacts } from "../domain/rules/facts"
import { LIFETIME_KINDS } from "../domain/ledger/ledger"
import { tierGroupMoves } from "../domain/program/tier-groups"
import { recomputeTier, type TierChange, type TierDef } from "../domain/program/tiers"
import { accountRowFacts, tierDecidedByAccountRow } from "../domain/program/member-inputs"
import type { Rulebook } from "../domain/rules/rulebook"
import { LoyaltyAccount } from "../models/loyalty-account"
import { LoyaltyTierChange } from "../models/loyalty-tier-change"
import LoyaltyRulesService from "./loyalty-rules"
import { memberFactColumns, memberFactsOfRow, ONE_MEMBER_COLUMNS, ONE_MEMBER_FROM } from "../utils/member-facts-sql"
import { readMembersPerTier } from "../utils/stats-sql"
import { DAY_MS } from "../domain/shared/time"

type EventBus = { withTransaction(m: EntityManager): { emit(event: string, data: unknown): Promise<unknown> } }
type PromotionSync = { withTransaction(m: EntityManager): { syncMember(customer_id: string, member: MemberFacts): Promise<void> } }

type InjectedDependencies = {
  manager: EntityManager
  loyaltyRulesService: LoyaltyRulesService
  customerGroupService: CustomerGroupService
  eventBusService: EventBus
}

export type RecomputeOptions = {
  /** What triggered the evaluation (a ledger kind, "enrolled", "reevaluation"); stored on the change row. */
  reason: string
  now?: Date
  /** The ledger lowered lifetime points (clawback, reversal, negative adjustment): downgrade without grace. */
  correction?: boolean
  /**
   * The account as the caller locked and last wrote it in this transaction (the ledger, right after a posting):
   * it is not locked and read again.
   */
  locked?: LoyaltyAccount
}

export type RecomputeResult = { from: string | null; to: string | null; change: TierChange; below_since: Date | null }
export type TierCounts = { accounts_checked: number; upgraded: number; downgraded: number; unchanged: number }
export type TierSummary = { code: string; name: string; rank: number; threshold: number | null; customer_group_id: string | null; member_count: number }

/** Parameters $1–$4 of the member-facts SQL: customer, window start, now, the lifetime kinds. */
const factParams = (customer_id: string, now: Date): unknown[] => [
  customer_id,
  new Date(now.getTime() - MEMBER_WINDOW_DAYS * DAY_MS),
  now,
  [...LIFETIME_KINDS],
]
const PAGE = 200

/**
 * Tiers of members (domain/program/tiers.ts decides), stored on the account and mirrored by Medusa customer groups, one per
 * tier: a member belongs to their tier's group only. Called by the ledger after every change of lifetime points
 * (same transaction, account already locked) and by the daily re-evaluation (window facts, grace periods).
 */
export default class LoyaltyTierService extends TransactionBaseService {
  static Events = { TIER_CHANGED: "loyalty.tier_changed" }

  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /** The facts tiers and promotions read about a member, as of `now` (one query: account and facts together). */
  async memberFacts(customer_id: string, now: Date = new Date()): Promise<MemberFacts> {
    const [row] = await this.activeManager_.query(
      `SELECT ${ONE_MEMBER_COLUMNS}, ${memberFactColumns("c.id")} ${ONE_MEMBER_FROM}`,
      factParams(customer_id, now)
    )
    return memberFactsOfRow(customer_id, row, now)
  }

  /**
   * Re-evaluates one member's tier under the account's row lock and applies the decision: account tier and
   * below_since, a loyalty_tier_change row and `loyalty.tier_changed` on a change, customer groups always repaired.
   * Then hands the fresh facts to the promotions service when it is installed. Writes nothing through the ledger
   * (no recursion). Without a live rulebook or a tiers file it does nothing (the daily run catches up).
   */
  async recompute(customer_id: string, { reason, now = new Date(), correction = false, locked }: RecomputeOptions): Promise<RecomputeResult> {
    return await this.atomicPhase_(async (manager) => {
      const rulebook = this.deps_.loyaltyRulesService.findRulebook()
      const account =
        locked ??
        (await manager
          .getRepository(LoyaltyAccount)
          .createQueryBuilder("a")
          .setLock("pessimistic_write")
          .where("a.customer_id = :customer_id", { customer_id })
          .getOne())
      if (!rulebook?.tiers || !account) {
        return { from: account?.tier ?? null, to: account?.tier ?? null, change: "none", below_since: account?.tier_below_since ?? null }
      }
      if (locked && tierDecidedByAccountRow(rulebook)) {
        const kept = await this.keepTierOfPosting(manager, rulebook, locked, { reason, correction, now })
        if (kept) return kept
      }
      const tiers = rulebook.tiers.tiers
      const { facts, tier_groups } = await this.readForRecompute(manager, customer_id, now, tiers)
      const { decision, from, to, store, changed, reason: why } = recomputeTier(rulebook, account, facts, { trigger: reason, correction, now })!
      if (store) {
        await manager.getRepository(LoyaltyAccount).update({ id: account.id }, { tier: to, tier_below_since: decision.below_since })
      }
      // On a transaction-bound clone: its activeManager_ is this transaction's even on an instance shared by handlers.
      const group_ids = await this.withTransaction(manager).syncGroups(customer_id, tiers.find((t) => t.code === to)!, tiers, facts.group_ids, tier_groups)
      if (changed) {
        await manager.getRepository(LoyaltyTierChange).insert({
          id: generateEntityId("", "ltch"), customer_id, from_tier: from, to_tier: to, reason: why, rulebook_version: rulebook.version,
        })
        await this.deps_.eventBusService
          .withTransaction(manager)
          .emit(LoyaltyTierService.Events.TIER_CHANGED, { customer_id, from, to, reason: why, rulebook_version: rulebook.version })
      }
      await this.promotionService()?.withTransaction(manager).syncMember(customer_id, { ...facts, tier: to, group_ids })
      return { from, to, change: changed ? decision.change : "none", below_since: decision.below_since }
    })
  }

  /**
   * A posting's re-evaluation when the rulebook decides tiers from the account row (tierDecidedByAccountRow): no
   * facts to read. While the tier stays, groups and promotions stay too (they follow the tier); only a grace start
   * or end is written. A change returns null: the full re-evaluation writes it (history, event, groups). The daily
   * run still repairs groups changed by hand.
   */
  private async keepTierOfPosting(
    manager: EntityManager,
    rulebook: Rulebook,
    account: LoyaltyAccount,
    o: { reason: string; correction: boolean; now: Date }
  ): Promise<RecomputeResult | null> {
    const quick = recomputeTier(rulebook, account, accountRowFacts(account), { trigger: o.reason, correction: o.correction, now: o.now })!
    if (quick.changed) return null
    if (quick.store) await manager.getRepository(LoyaltyAccount).update({ id: account.id }, { tier_below_since: quick.decision.below_since })
    return { from: account.tier, to: account.tier, change: "none", below_since: quick.decision.below_since }
  }

  /**
   * What a re-evaluation reads, in one query: the member facts (the account as this transaction sees it: the
   * caller holds its lock) and the ids of the ladder's customer groups by name.
   */
  private async readForRecompute(
    manager: EntityManager,
    customer_id: string,
    now: Date,
    tiers: readonly TierDef[]
  ): Promise<{ facts: MemberFacts; tier_groups: Map<string, string> }> {
    const [row] = await manager.query(
      `SELECT ${ONE_MEMBER_COLUMNS}, ${memberFactColumns("c.id")},
         (SELECT json_agg(json_build_object('name', g.name, 'id', g.id)) FROM customer_group g
           WHERE g.name = ANY($5) AND g.deleted_at IS NULL) AS tier_groups
       ${ONE_MEMBER_FROM}`,
      [...factParams(customer_id, now), tiers.map((t) => t.customer_group)]
    )
    const pairs: { name: string; id: string }[] = row?.tier_groups ?? []
    const tier_groups = new Map(pairs.map((g) => [g.name, g.id]))
    return { facts: memberFactsOfRow(customer_id, row, now), tier_groups }
  }

  /**
   * Re-evaluates every account as of `now` (window facts move with time; grace periods end), each in its own
   * transaction so one failure neither rolls back nor blocks the others. Also gives members enrolled before the
   * tiers existed their tier and group. Creates missing tier groups first.
   */
  async reevaluateAll(now: Date): Promise<TierCounts> {
    const counts: TierCounts = { accounts_checked: 0, upgraded: 0, downgraded: 0, unchanged: 0 }
    const tiers = this.deps_.loyaltyRulesService.findRulebook()?.tiers?.tiers
    if (!tiers) return counts
    for (const tier of tiers) await this.groupId(tier, true)
    let after = ""
    for (;;) {
      const accounts = await this.activeManager_.getRepository(LoyaltyAccount).find({
        select: { id: true, customer_id: true },
        where: { customer_id: MoreThan(after) },
        order: { customer_id: "ASC" },
        take: PAGE,
      })
      for (const { customer_id } of accounts) {
        const run = (m: EntityManager) => this.withTransaction(m).recompute(customer_id, { reason: "reevaluation", now })
        const { change } = this.transactionManager_ ? await run(this.transactionManager_) : await this.manager_.transaction(run)
        counts.accounts_checked++
        counts[change === "upgrade" ? "upgraded" : change === "downgrade" ? "downgraded" : "unchanged"]++
      }
      if (accounts.length < PAGE) return counts
      after = accounts[accounts.length - 1].customer_id
    }
  }

  /** The ladder by rank with each tier's customer group (null until created) and its number of members. */
  async summary(): Promise<TierSummary[]> {
    const tiers = this.deps_.loyaltyRulesService.getRulebook().tiers?.tiers ?? []
    const counts = await readMembersPerTier((sql, params) => this.activeManager_.query(sql, params))
    const groups = await this.groupIdsByName(tiers.map((t) => t.customer_group))
    return tiers.map((t) => ({
      code: t.code, name: t.name, rank: t.rank, threshold: t.threshold?.value ?? null,
      customer_group_id: groups.get(t.customer_group) ?? null, member_count: counts.get(t.code) ?? 0,
    }))
  }

  /**
   * Membership follows the tier exactly: in `tier`'s group, out of every other tier group. `by_name` holds the
   * ladder's existing groups (name → id); the tier's group is created when missing. Returns the new group ids.
   */
  private async syncGroups(
    customer_id: string,
    tier: TierDef,
    tiers: readonly TierDef[],
    current: string[],
    by_name: Map<string, string>
  ): Promise<string[]> {
    const groups = this.deps_.customerGroupService.withTransaction(this.activeManager_)
    const target = by_name.get(tier.customer_group) ?? (await this.groupId(tier, true))
    const ladder_group_ids = tiers.map((t) => by_name.get(t.customer_group)).filter((id): id is string => id !== undefined)
    const moves = tierGroupMoves({ current, ladder_group_ids, target })
    for (const id of moves.removed) await groups.removeCustomer(id, [customer_id])
    for (const id of moves.added) await groups.addCustomers(id, [customer_id])
    return moves.after
  }

  /**
   * The id of a tier's group, created when missing (with `create`). Creation runs in a nested transaction (a
   * savepoint inside the caller's, so no second connection is needed): when a concurrent member created the group
   * first, the unique name index refuses ours, the savepoint rolls back and the caller's posting goes on with theirs.
   */
  private async groupId(tier: TierDef, create: boolean): Promise<string | null> {
    const existing = (await this.groupIdsByName([tier.customer_group])).get(tier.customer_group)
    if (existing || !create) return existing ?? null
    try {
      const group = await this.activeManager_.transaction((m) =>
        this.deps_.customerGroupService.withTransaction(m).create({ name: tier.customer_group, metadata: { loyalty_tier: tier.code } })
      )
      return group.id
    } catch (e) {
      const raced = (await this.groupIdsByName([tier.customer_group])).get(tier.customer_group)
      if (raced) return raced
      throw e
    }
  }

  private async groupIdsByName(names: string[], manager: EntityManager = this.activeManager_): Promise<Map<string, string>> {
    if (!names.length) return new Map()
    const rows: { id: string; name: string }[] = await manager.query(
      `SELECT id, name FROM customer_group WHERE name = ANY($1) AND deleted_at IS NULL`,
      [names]
    )
    return new Map(rows.map((r) => [r.name, r.id]))
  }


  /** The promotions capability, when installed (it keeps its own groups in sync from the same facts). */
  private promotionService(): PromotionSync | null {
    try {
      return (this.__container__ as Record<string, PromotionSync>).loyaltyPromotionService ?? null
    } catch (e) {
      if (String((e as Error).message).includes("Could not resolve 'loyaltyPromotionService'")) return null
      throw e
    }
  }
}
