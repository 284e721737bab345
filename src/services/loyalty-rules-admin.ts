import { TransactionBaseService } from "@medusajs/medusa"
import type { EntityManager } from "typeorm"
import type { z } from "zod"
import { LoyaltyError, LoyaltyErrorCodes } from "../domain/shared/errors"
import { backtestReportView, compileCandidate, settingsView, type BacktestOutcome, type SettingsView } from "../domain/http/reports"
import type { Rulebook } from "../domain/rules/rulebook"
import { simulate, simulateAction, SimulationInput, type ActionInput, type MemberInput } from "../domain/reports/simulation"
import { actionFacts } from "../domain/program/action"
import { describeRules, explainEntry, reloadRefusal, simulationView, validateRuleFiles, type IssueView, type RulesView } from "../domain/http/rules-admin"
import type { MemberFacts } from "../domain/rules/facts"
import { LoyaltyLedgerEntry } from "../models/loyalty-ledger-entry"
import { backtestStore, type BacktestWindow } from "../utils/backtest-source"
import { pluginDocs } from "../utils/plugin-paths"
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

// The views are the core's (domain/http/rules-admin.ts, domain/http/reports.ts), shared with the v2 adapter.
export type { IssueView, RulesView }
export type { BacktestMemberView, BacktestOutcome, BacktestReportView, SettingsView } from "../domain/http/reports"

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

  /**
   * The CLI's backtest (utils/backtest-source.ts, domain/reports/backtest.ts) of candidate `files` against the store's newest
   * `limit` accruals since `since`: in one read-only snapshot (REPEATABLE READ READ ONLY), so nothing can be written
   * and postings landing meanwhile cannot show up half-way. An invalid candidate gives its located issues.
   */
  async backtest(files: Array<{ name: string; content: string }>, window: { since?: Date; limit: number }, now: Date): Promise<BacktestOutcome> {
    const compiled = compileCandidate(files)
    if (!compiled.ok) return compiled
    const range: BacktestWindow = { since: window.since, limit: window.limit }
    const { result, evaluation_ms } = await this.manager_.transaction("REPEATABLE READ", async (m) => {
      await m.query("SET TRANSACTION READ ONLY")
      return await backtestStore((sql, params) => m.query(sql, params), compiled.rulebook, range, now)
    })
    const live_rulebook_version = this.deps_.loyaltyRulesService.findRulebook()?.version ?? null
    return { ok: true, report: backtestReportView(result, { live_rulebook_version, since: window.since, limit_orders: window.limit, evaluation_ms }) }
  }

  /** The settings page: plugin options as parsed, the live program settings and version, the docs by name. */
  settings(): SettingsView {
    const rules = this.deps_.loyaltyRulesService
    return settingsView(rules.options, rules.findRulebook(), pluginDocs())
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
   * partial facts with the defaults of the CLI's `simulate`. With `candidate` (compiled candidate files), that
   * rulebook instead of the live one.
   */
  async simulate(input: { order_id: string } | SimulationFacts, candidate?: Rulebook) {
    const rulebook = candidate ?? this.deps_.loyaltyRulesService.getRulebook()
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

  /**
   * Evaluates an earning action with the live rulebook; writes nothing. With `customer_id`: that member's facts now
   * and their recorded awards (for limits) are used; otherwise `member` (defaults for what is missing) and the
   * action's `earlier_awards`. With `candidate`, that rulebook instead of the live one.
   */
  async simulateAction(input: { action: ActionInput; member?: MemberInput; customer_id?: string }, candidate?: Rulebook) {
    const rulebook = candidate ?? this.deps_.loyaltyRulesService.getRulebook()
    let action = input.action
    let member: MemberInput | undefined = input.member
    if (input.customer_id) {
      const manager = this.activeManager_
      const [customer] = await manager.query(`SELECT id FROM customer WHERE id = $1 AND deleted_at IS NULL`, [input.customer_id])
      if (!customer) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Customer ${input.customer_id} was not found`, { customer_id: input.customer_id })
      const { tier: _tier, ...current } = await this.deps_.loyaltyTierService.withTransaction(manager).memberFacts(input.customer_id)
      member = { ...current, tier: _tier }
      const rows: Array<{ occurred_at: Date; rule_names: string[] }> = await manager.query(
        `SELECT occurred_at, rule_names FROM loyalty_action WHERE customer_id = $1 AND status = 'awarded'`,
        [input.customer_id]
      )
      action = { ...action, earlier_awards: rows.map((r) => ({ occurred_at: new Date(r.occurred_at).toISOString(), rule_names: r.rule_names })) }
    }
    const result = simulateAction(rulebook, action, member)
    return {
      points: result.points,
      rule_names: result.rule_names,
      contributions: result.contributions,
      refused: result.refused,
      rulebook_version: result.rulebook_version,
      facts: { action: actionFacts(action, rulebook.program.timezone) },
    }
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
