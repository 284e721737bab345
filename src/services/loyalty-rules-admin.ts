import { TransactionBaseService } from "@medusajs/medusa"
import type { EntityManager } from "typeorm"
import type { z } from "zod"
import { LoyaltyError, LoyaltyErrorCodes } from "../domain/errors"
import { simulate, SimulationInput } from "../domain/simulation"
import { describeRules, explainEntry, reloadRefusal, simulationView, validateRuleFiles, type IssueView, type RulesView } from "../domain/rules-admin"
import type { MemberFacts } from "../domain/facts"
import { LoyaltyLedgerEntry } from "../models/loyalty-ledger-entry"
import type { RulebookState } from "../utils/rulebook-store"
import type LoyaltyAccrualService from "./loyalty-accrual"
import type LoyaltyPromotionService from "./loyalty-promotion"
import type LoyaltyRulesService from "./loyalty-rules"
import type LoyaltyTierService from "./loyalty-tier"

type InjectedDependencies = {
  manager: EntityManager
  logger: { error(msg: string): void }
  loyaltyRulesService: LoyaltyRulesService
  loyaltyAccrualService: LoyaltyAccrualService
  loyaltyPromotionService: LoyaltyPromotionService
  loyaltyTierService: LoyaltyTierService
}

// The views are the core's (domain/rules-admin.ts), shared with the v2 adapter.
export type { IssueView, RulesView }

export type SimulationFacts = z.output<typeof SimulationInput>

export type ReloadOutcome =
  | { ok: true; rules: RulesView; promotions: unknown }
  | { ok: false; message: string; issues: IssueView[]; rules: RulesView }

/**
 * The store half of the marketer's toolchain: what is live, dry-run validation of files, hot reload from disk,
 * simulations that write nothing, and explanations of past accruals under the rulebook version that produced them.
 */
export default class LoyaltyRulesAdminService extends TransactionBaseService {
  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  describe(state: RulebookState = this.deps_.loyaltyRulesService.state()): RulesView {
    return describeRules(state)
  }

  /** Compiles `files` as a rulebook without applying anything. */
  validate(files: Array<{ name: string; content: string }>): { valid: boolean; version?: string; issues: IssueView[] } {
    return validateRuleFiles(files)
  }

  /** Re-reads the rules directory. Valid: stored by version, live, promotions reconciled. Invalid: the previous one stays. */
  async reload(): Promise<ReloadOutcome> {
    const rules = this.deps_.loyaltyRulesService
    const state = rules.reload()
    if (state.error) {
      return { ok: false, message: reloadRefusal(state), issues: describeRules(state).last_reload_error!.issues, rules: this.describe(state) }
    }
    await rules.recordLive(this.activeManager_)
    let promotions: unknown
    try {
      promotions = await this.deps_.loyaltyPromotionService.reconcile()
    } catch (e) {
      // The rulebook is live either way; the reconcile route or the next boot retries.
      this.deps_.logger.error(`medusa-plugin-loyalty-rules: reconciling promotions after a reload failed: ${(e as Error).message}`)
      promotions = { error: (e as Error).message }
    }
    return { ok: true, rules: this.describe(state), promotions }
  }

  /**
   * Evaluates an order with the live rulebook; writes nothing. By `order_id`: the stored order with the customer's
   * current facts (tier and promotions: the member's current figures plus this order's points). By facts: the
   * partial facts with the defaults of the CLI's `simulate`.
   */
  async simulate(input: { order_id: string } | SimulationFacts) {
    const rulebook = this.deps_.loyaltyRulesService.getRulebook()
    let parsed: SimulationFacts
    if ("order_id" in input) {
      const { facts } = await this.deps_.loyaltyAccrualService.withTransaction(this.activeManager_).buildFacts(input.order_id)
      const base = { order: facts.order, customer: facts.customer } as unknown as SimulationFacts
      const first = await simulate(rulebook, base)
      const credited = first.pending ? 0 : first.accrual.points
      const current: MemberFacts = await this.deps_.loyaltyTierService.withTransaction(this.activeManager_).memberFacts(facts.customer.id)
      const { tier: _tier, ...member } = {
        ...current,
        points_lifetime: current.points_lifetime + credited,
        points_balance: current.points_balance + credited,
        points_last_365d: current.points_last_365d + credited,
      }
      parsed = { ...base, member }
    } else {
      parsed = input
    }
    return simulationView(rulebook, await simulate(rulebook, parsed))
  }

  /** An entry with the facts and the rulebook (by the entry's version) that produced it. */
  async explain(entry_id: string) {
    const entry = await this.activeManager_.getRepository(LoyaltyLedgerEntry).findOne({ where: { id: entry_id } })
    if (!entry) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Ledger entry ${entry_id} was not found`)
    const version = entry.rulebook_version
    const stored = version ? await this.deps_.loyaltyRulesService.storedRulebook(version) : null
    return { entry, ...explainEntry(entry, stored?.files ?? null) }
  }
}
