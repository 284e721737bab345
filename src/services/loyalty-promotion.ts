import {
  CustomerGroupService,
  DiscountService,
  generateEntityId,
  Logger,
  TransactionBaseService,
} from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import type { MemberFacts } from "../domain/rules/facts"
import { eligiblePromotions, promotionDefinitionHash, promotionGroupMoves, promotionOpenAt, type PromotionDef } from "../domain/program/promotions"
import type { Rulebook } from "../domain/rules/rulebook"
import { LoyaltyAccount } from "../models/loyalty-account"
import { LoyaltyPromotion } from "../models/loyalty-promotion"
import LoyaltyRulesService from "./loyalty-rules"
import { emptyPromotionReconcile, type PromotionReconcileResult } from "../domain/program/promotions"

type TierService = {
  withTransaction(m: EntityManager): TierService
  memberFacts(customer_id: string): Promise<MemberFacts>
}

type InjectedDependencies = {
  manager: EntityManager
  logger: Logger
  discountService: DiscountService
  customerGroupService: CustomerGroupService
  discountConditionService: { withTransaction(m: EntityManager): { upsertCondition(data: Record<string, unknown>): Promise<unknown> } }
  loyaltyRulesService: LoyaltyRulesService
  eventBusService: { withTransaction(m: EntityManager): { emit(event: string, data: unknown): Promise<unknown> } }
}

/** The core's reconcile result (domain/program/promotions.ts), shared by both adapters. */
export type ReconcileResult = PromotionReconcileResult

export type CustomerPromotion = {
  code: string
  name: string
  description: string | null
  discount: { type: string; value: number; allocation: string; currency_code?: string }
  starts_at: Date | null
  ends_at: Date | null
}

export type TrackedPromotion = {
  code: string
  status: "active" | "disabled" | "pending"
  discount_id: string | null
  customer_group_id: string
  member_count: number
  definition_hash: string
  rulebook_version: string
  disabled_at: Date | null
  created_at: Date
  updated_at: Date
}

type Outcome = "created" | "updated" | "unchanged" | { conflict: string } | { pending: string }
/** `membership`: who belongs in the group may have changed (new promotion, new conditions or group, re-enabled). */
type OneResult = { outcome: Outcome; membership: boolean }

type DiscountState = {
  id: string
  is_disabled: boolean
  starts_at: Date
  ends_at: Date | null
  usage_limit: number | null
  usage_count: number
  deleted_at: Date | null
  rule_id: string
  type: string
  value: number
  allocation: string | null
  description: string | null
  metadata: Record<string, unknown> | null
}

const SYNC_BATCH = 200

/**
 * Member promotions as Medusa discounts restricted to customer groups. `reconcile` makes the store's discounts and
 * groups match the rule files (idempotent, only ever touching what the tracking table says it created);
 * `syncMember` keeps each group's members exactly the eligible members, so Medusa's checkout enforces eligibility.
 */
export default class LoyaltyPromotionService extends TransactionBaseService {
  static Events = {
    RECONCILED: "loyalty.promotions_reconciled",
    MEMBER_SYNCED: "loyalty.promotion_membership_changed",
  }

  protected readonly deps_: InjectedDependencies
  protected readonly container_: Record<string, unknown>

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
    this.container_ = container as unknown as Record<string, unknown>
  }

  /**
   * Makes the store match `rulebook.promotions` (default: the live rulebook): per promotion its customer group and
   * its discount (created, or updated where it differs); tracked promotions no longer in the files are disabled.
   * Each promotion is one transaction under an advisory lock on its code, so concurrent runs serialize. When
   * anything changed, every member's group membership is re-synced.
   */
  async reconcile(rulebook?: Rulebook, opts: { now?: Date; sync?: boolean } = {}): Promise<ReconcileResult> {
    const book = rulebook ?? this.deps_.loyaltyRulesService.getRulebook()
    const now = opts.now ?? new Date()
    const result: ReconcileResult = emptyPromotionReconcile(book.version)
    let membership = false
    for (const def of book.promotions) {
      try {
        const one = await this.inTransaction((m) => this.withTransaction(m).reconcileOne(m, def, book.version, now))
        const outcome = one.outcome
        membership ||= one.membership
        if (typeof outcome === "string") result[outcome].push(def.code)
        else if ("conflict" in outcome) {
          result.conflicts.push({ code: def.code, reason: outcome.conflict })
          this.deps_.logger.error(`loyalty: promotion ${def.code} skipped: ${outcome.conflict}`)
        } else result.pending.push({ code: def.code, reason: outcome.pending })
      } catch (e) {
        result.failed.push({ code: def.code, reason: (e as Error).message })
        this.deps_.logger.error(`loyalty: reconciling promotion ${def.code} failed: ${(e as Error).message}`)
      }
    }
    const live = new Set(book.promotions.map((p) => p.code))
    const tracked = await this.activeManager_.getRepository(LoyaltyPromotion).find({ order: { code: "ASC" } })
    for (const row of tracked.filter((r) => !live.has(r.code) && r.disabled_at === null)) {
      try {
        await this.inTransaction((m) => this.withTransaction(m).disableOne(m, row.code, now))
        result.disabled.push(row.code)
      } catch (e) {
        result.failed.push({ code: row.code, reason: (e as Error).message })
        this.deps_.logger.error(`loyalty: disabling promotion ${row.code} failed: ${(e as Error).message}`)
      }
    }
    if (opts.sync !== false && (membership || result.disabled.length)) {
      await this.syncAll(book)
    }
    await this.inTransaction((m) =>
      this.deps_.eventBusService.withTransaction(m).emit(LoyaltyPromotionService.Events.RECONCILED, {
        rulebook_version: book.version,
        created: result.created,
        updated: result.updated,
        disabled: result.disabled,
      })
    )
    return result
  }

  /**
   * Puts `customer_id` in the group of every promotion they are eligible for and out of every other tracked
   * promotion's group (disabled promotions have no members). Promotions not reconciled yet are left to reconcile,
   * which re-syncs everyone. Returns the eligible codes.
   */
  async syncMember(customer_id: string, member: MemberFacts, rulebook?: Rulebook): Promise<string[]> {
    const book = rulebook ?? this.deps_.loyaltyRulesService.getRulebook()
    return await this.atomicPhase_(async (manager) => {
      // The tracked promotions and whether the member is in each one's group, in one round trip.
      const rows: { code: string; customer_group_id: string; disabled_at: Date | null; is_member: boolean }[] = await manager.query(
        `SELECT p.code, p.customer_group_id, p.disabled_at,
                EXISTS (SELECT 1 FROM customer_group_customers cgc
                         WHERE cgc.customer_id = $1 AND cgc.customer_group_id = p.customer_group_id) AS is_member
           FROM loyalty_promotion p`,
        [customer_id]
      )
      const current_group_ids = rows.filter((r) => r.is_member).map((r) => r.customer_group_id)
      const { added, removed, eligible } = promotionGroupMoves({ rulebook: book, member, tracked: rows, current_group_ids })
      const groups = this.deps_.customerGroupService.withTransaction(manager)
      for (const group_id of added) await groups.addCustomers(group_id, [customer_id])
      for (const group_id of removed) await groups.removeCustomer(group_id, [customer_id])
      if (added.length || removed.length) {
        await this.deps_.eventBusService.withTransaction(manager).emit(LoyaltyPromotionService.Events.MEMBER_SYNCED, {
          customer_id,
          added_group_ids: added,
          removed_group_ids: removed,
        })
      }
      return eligible
    })
  }

  /** Re-syncs every loyalty member (batches of accounts, one transaction per member). Returns the number synced. */
  async syncAll(rulebook?: Rulebook): Promise<number> {
    const book = rulebook ?? this.deps_.loyaltyRulesService.getRulebook()
    let synced = 0
    for (let offset = 0; ; offset += SYNC_BATCH) {
      const accounts = await this.activeManager_.getRepository(LoyaltyAccount).find({
        select: { customer_id: true },
        order: { customer_id: "ASC" },
        skip: offset,
        take: SYNC_BATCH,
      })
      for (const { customer_id } of accounts) {
        try {
          await this.inTransaction(async (m) => {
            const service = this.withTransaction(m)
            await service.syncMember(customer_id, await service.memberFacts(customer_id), book)
          })
          synced++
        } catch (e) {
          this.deps_.logger.error(`loyalty: syncing promotions of ${customer_id} failed: ${(e as Error).message}`)
        }
      }
      if (accounts.length < SYNC_BATCH) return synced
    }
  }

  /** The promotions the customer can use now: eligible, enabled, started and not ended, usage limit not reached. */
  async listForCustomer(customer_id: string, now: Date = new Date()): Promise<CustomerPromotion[]> {
    const book = this.deps_.loyaltyRulesService.getRulebook()
    const eligible = eligiblePromotions(book, await this.memberFacts(customer_id))
    if (!eligible.length) return []
    const rows = await this.activeManager_.getRepository(LoyaltyPromotion).find()
    const out: CustomerPromotion[] = []
    for (const def of eligible) {
      const row = rows.find((r) => r.code === def.code)
      if (!row || row.disabled_at !== null || !row.discount_id) continue
      const d = await this.discountState(this.activeManager_, row.discount_id)
      if (!d || d.deleted_at || d.is_disabled) continue
      if (!promotionOpenAt({ starts_at: d.starts_at, ends_at: d.ends_at }, now)) continue
      if (d.usage_limit !== null && d.usage_count >= d.usage_limit) continue
      out.push({
        code: def.code,
        name: def.name,
        description: def.description ?? null,
        discount: {
          type: d.type,
          value: d.value,
          allocation: d.allocation ?? "total",
          ...(def.discount.type === "fixed" ? { currency_code: def.discount.currency_code } : {}),
        },
        starts_at: d.starts_at,
        ends_at: d.ends_at,
      })
    }
    return out
  }

  /** Every tracked promotion with its discount, group, status and member count (admin). */
  async listTracked(): Promise<TrackedPromotion[]> {
    const rows = await this.activeManager_.getRepository(LoyaltyPromotion).find({ order: { code: "ASC" } })
    const counts: { customer_group_id: string; n: string }[] = rows.length
      ? await this.activeManager_.query(
          `SELECT customer_group_id, count(*) AS n FROM customer_group_customers WHERE customer_group_id = ANY($1) GROUP BY customer_group_id`,
          [rows.map((r) => r.customer_group_id)]
        )
      : []
    return rows.map((r) => ({
      code: r.code,
      status: r.disabled_at ? "disabled" : r.discount_id ? "active" : "pending",
      discount_id: r.discount_id,
      customer_group_id: r.customer_group_id,
      member_count: Number(counts.find((c) => c.customer_group_id === r.customer_group_id)?.n ?? 0),
      definition_hash: r.definition_hash,
      rulebook_version: r.rulebook_version,
      disabled_at: r.disabled_at,
      created_at: r.created_at,
      updated_at: r.updated_at,
    }))
  }

  /**
   * Member facts from the tiers service when it is registered; otherwise the account's own figures (tier as
   * stored, windows and order counts 0).
   */
  async memberFacts(customer_id: string): Promise<MemberFacts> {
    const tiers = this.tierService()
    if (tiers) {
      return await (this.transactionManager_ ? tiers.withTransaction(this.transactionManager_) : tiers).memberFacts(customer_id)
    }
    const account = await this.activeManager_.getRepository(LoyaltyAccount).findOne({ where: { customer_id } })
    return {
      customer_id,
      points_lifetime: account?.points_lifetime ?? 0,
      points_balance: account?.points_balance ?? 0,
      tier: account?.tier ?? null,
      orders_count: 0,
      points_last_365d: 0,
      spend_last_365d_minor: 0,
      group_ids: [],
      created_at: (account?.created_at ?? new Date(0)).toISOString(),
    }
  }

  // --- reconcile internals -------------------------------------------------------------------------------------

  protected async reconcileOne(manager: EntityManager, def: PromotionDef, version: string, now: Date): Promise<OneResult> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`loyalty_promotion:${def.code}`])
    const repo = manager.getRepository(LoyaltyPromotion)
    let row = await repo.findOne({ where: { code: def.code } })
    const hash = promotionDefinitionHash(def)
    const byCode: { id: string }[] = await manager.query(`SELECT id FROM discount WHERE code = $1 AND deleted_at IS NULL`, [def.code])
    const holder = byCode[0]?.id ?? null
    if (holder && holder !== row?.discount_id) {
      return {
        outcome: { conflict: `a discount with code ${def.code} (${holder}) exists that the loyalty plugin did not create; it is left untouched` },
        membership: false,
      }
    }
    const group_id = await this.ensureGroup(manager, def, row?.customer_group_id ?? null)
    const regions = await this.regionsFor(manager, def)
    let outcome: Outcome
    const existing = row?.discount_id ? await this.discountState(manager, row.discount_id) : null
    let discount_id = existing && !existing.deleted_at ? existing.id : null
    if (!discount_id) {
      if (!regions.length) {
        outcome = {
          pending: def.discount.type === "fixed" ? `no region uses currency ${def.discount.currency_code}` : "the store has no region yet",
        }
      } else {
        discount_id = await this.createDiscount(manager, def, group_id, regions)
        outcome = "created"
      }
    } else {
      const changed = await this.updateDiscount(manager, existing!, def, group_id, regions, now)
      outcome = changed || row!.definition_hash !== hash || row!.disabled_at !== null || row!.customer_group_id !== group_id ? "updated" : "unchanged"
    }
    const membership = !row || row.definition_hash !== hash || row.disabled_at !== null || row.customer_group_id !== group_id
    if (!row) {
      row = repo.create({ id: generateEntityId("", "lpromo"), code: def.code })
    }
    if (outcome !== "unchanged") {
      Object.assign(row, { discount_id, customer_group_id: group_id, definition_hash: hash, rulebook_version: version, disabled_at: null })
      await repo.save(row)
    }
    return { outcome, membership }
  }

  protected async disableOne(manager: EntityManager, code: string, now: Date): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`loyalty_promotion:${code}`])
    const repo = manager.getRepository(LoyaltyPromotion)
    const row = await repo.findOneOrFail({ where: { code } })
    if (row.disabled_at) return
    if (row.discount_id) {
      const d = await this.discountState(manager, row.discount_id)
      if (d && !d.deleted_at && !d.is_disabled) {
        await this.deps_.discountService.withTransaction(manager).update(row.discount_id, { is_disabled: true })
      }
    }
    await repo.update({ id: row.id }, { disabled_at: now })
  }

  /** The promotion's customer group: the tracked one if it still exists, else the one with its name, else a new one. */
  private async ensureGroup(manager: EntityManager, def: PromotionDef, tracked_id: string | null): Promise<string> {
    const found: { id: string }[] = await manager.query(
      `SELECT id FROM customer_group WHERE name = $1 AND deleted_at IS NULL ORDER BY (id = $2) DESC LIMIT 1`,
      [def.customer_group, tracked_id ?? ""]
    )
    if (found.length) return found[0].id
    const created = await this.deps_.customerGroupService
      .withTransaction(manager)
      .create({ name: def.customer_group, metadata: { loyalty_promotion: def.code } })
    return created.id
  }

  /** Percentage: every region of the store. Fixed: the first region (oldest) in the promotion's currency. */
  private async regionsFor(manager: EntityManager, def: PromotionDef): Promise<string[]> {
    const regions: { id: string; currency_code: string }[] = await manager.query(
      `SELECT id, currency_code FROM region WHERE deleted_at IS NULL ORDER BY created_at, id`
    )
    if (def.discount.type === "percentage") return regions.map((r) => r.id).sort()
    const currency = def.discount.currency_code
    const matching = regions.filter((r) => r.currency_code === currency)
    if (matching.length > 1) {
      this.deps_.logger.warn(
        `loyalty: promotion ${def.code}: Medusa v1 fixed discounts belong to one region; using ${matching[0].id} of ${matching.length} ${currency} regions`
      )
    }
    return matching.slice(0, 1).map((r) => r.id)
  }

  private async createDiscount(manager: EntityManager, def: PromotionDef, group_id: string, regions: string[]): Promise<string> {
    const d = def.discount
    const discount = await this.deps_.discountService.withTransaction(manager).create({
      code: def.code,
      is_dynamic: false,
      is_disabled: false,
      regions,
      ...(d.starts_at ? { starts_at: new Date(d.starts_at) } : {}),
      ...(d.ends_at ? { ends_at: new Date(d.ends_at) } : {}),
      ...(d.usage_limit ? { usage_limit: d.usage_limit } : {}),
      rule: {
        type: d.type,
        value: d.value,
        allocation: d.allocation,
        description: ruleDescription(def),
        conditions: [{ operator: "in", customer_groups: [group_id] }],
      },
      metadata: { loyalty_promotion: def.code },
    } as unknown as Parameters<DiscountService["create"]>[0])
    return discount.id
  }

  /** Brings an existing (own) discount to the definition; returns whether anything changed. */
  private async updateDiscount(
    manager: EntityManager,
    actual: DiscountState,
    def: PromotionDef,
    group_id: string,
    regions: string[],
    now: Date
  ): Promise<boolean> {
    const d = def.discount
    let changed = false
    if (actual.type !== d.type) {
      // DiscountService.update validates a new value against the OLD type: switch the type first.
      await manager.query(`UPDATE discount_rule SET type = $1, updated_at = now() WHERE id = $2`, [d.type, actual.rule_id])
      changed = true
    }
    const update: Record<string, unknown> = {}
    const description = ruleDescription(def)
    if (actual.value !== d.value || (actual.allocation ?? "total") !== d.allocation || actual.description !== description) {
      update.rule = { id: actual.rule_id, value: d.value, allocation: d.allocation, description }
    }
    const wantStart = d.starts_at ? new Date(d.starts_at) : actual.starts_at > now ? now : actual.starts_at
    if (wantStart.getTime() !== actual.starts_at.getTime()) update.starts_at = wantStart
    const wantEnd = d.ends_at ? new Date(d.ends_at) : null
    if ((wantEnd?.getTime() ?? null) !== (actual.ends_at?.getTime() ?? null)) update.ends_at = wantEnd
    if ((d.usage_limit ?? null) !== actual.usage_limit) update.usage_limit = d.usage_limit ?? null
    if (actual.is_disabled) update.is_disabled = false
    const currentRegions: { region_id: string }[] = await manager.query(`SELECT region_id FROM discount_regions WHERE discount_id = $1`, [actual.id])
    if (regions.length && !sameSet(regions, currentRegions.map((r) => r.region_id))) update.regions = regions
    const discounts = this.deps_.discountService.withTransaction(manager)
    if (update.starts_at !== undefined && update.ends_at !== undefined) {
      // Medusa checks a new ends_at against the stored starts_at: move the start first.
      await discounts.update(actual.id, { starts_at: update.starts_at as Date })
      delete update.starts_at
      changed = true
    }
    if (Object.keys(update).length) {
      await discounts.update(actual.id, update as Parameters<DiscountService["update"]>[1])
      changed = true
    }
    const conditions: { id: string; groups: string[] }[] = await manager.query(
      `SELECT c.id, coalesce(array_agg(cg.customer_group_id) FILTER (WHERE cg.customer_group_id IS NOT NULL), '{}') AS groups
         FROM discount_condition c LEFT JOIN discount_condition_customer_group cg ON cg.condition_id = c.id
        WHERE c.discount_rule_id = $1 AND c.type = 'customer_groups' AND c.deleted_at IS NULL GROUP BY c.id`,
      [actual.rule_id]
    )
    const condition = conditions[0]
    if (!condition || !sameSet(condition.groups, [group_id])) {
      await this.deps_.discountConditionService.withTransaction(manager).upsertCondition({
        ...(condition ? { id: condition.id } : {}),
        rule_id: actual.rule_id,
        operator: "in",
        customer_groups: [group_id],
      })
      changed = true
    }
    return changed
  }

  private async discountState(manager: EntityManager, id: string): Promise<DiscountState | null> {
    const rows: DiscountState[] = await manager.query(
      `SELECT d.id, d.is_disabled, d.starts_at, d.ends_at, d.usage_limit, d.usage_count, d.deleted_at, d.rule_id, d.metadata,
              r.type, r.value, r.allocation, r.description
         FROM discount d JOIN discount_rule r ON r.id = d.rule_id WHERE d.id = $1`,
      [id]
    )
    return rows[0] ?? null
  }

  private tierService(): TierService | null {
    try {
      return (this.container_["loyaltyTierService"] as TierService | undefined) ?? null
    } catch {
      return null // not registered (tiers not installed): fall back to the account's figures
    }
  }

  /** Runs `work` in the current transaction, or a new one. */
  private async inTransaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.transactionManager_ ? await work(this.transactionManager_) : await this.manager_.transaction(work)
  }
}

function ruleDescription(def: PromotionDef): string {
  return def.description ? `${def.name}: ${def.description}` : def.name
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x))
}
