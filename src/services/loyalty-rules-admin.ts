import { TransactionBaseService } from "@medusajs/medusa"
import type { EntityManager } from "typeorm"
import type { z } from "zod"
import { LoyaltyError, LoyaltyErrorCodes } from "../domain/errors"
import { compileRulebook, type RuleFileIssue } from "../domain/rulebook"
import { simulate, SimulationInput } from "../domain/simulation"
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

/** An issue as the admin API shows it: every key present (null when unknown). */
export type IssueView = { file: string; line: number | null; column: number | null; pointer: string; message: string; hint: string | null }

export type RulesView = {
  version: string | null
  loaded_at: Date | null
  rules_dir: string
  files: string[]
  last_reload_error: { at: Date; issues: IssueView[] } | null
}

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
    return {
      version: state.rulebook?.version ?? null,
      loaded_at: state.loaded_at,
      rules_dir: state.rules_dir,
      files: [...(state.rulebook?.files ?? [])],
      last_reload_error: state.error ? { at: state.error.at, issues: state.error.issues.map(issueView) } : null,
    }
  }

  /** Compiles `files` as a rulebook without applying anything. */
  validate(files: Array<{ name: string; content: string }>): { valid: boolean; version?: string; issues: IssueView[] } {
    const result = compileRulebook(files.map((f) => ({ name: f.name, text: f.content })))
    return result.ok ? { valid: true, version: result.rulebook.version, issues: [] } : { valid: false, issues: result.issues.map(issueView) }
  }

  /** Re-reads the rules directory. Valid: stored by version, live, promotions reconciled. Invalid: the previous one stays. */
  async reload(): Promise<ReloadOutcome> {
    const rules = this.deps_.loyaltyRulesService
    const state = rules.reload()
    if (state.error) {
      const kept = state.rulebook ? `version ${state.rulebook.version} stays live` : "no rulebook is live"
      return { ok: false, message: `The rule files in ${state.rules_dir} are invalid (${state.error.issues.length} issue(s)); ${kept}`, issues: state.error.issues.map(issueView), rules: this.describe(state) }
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
    const result = await simulate(rulebook, parsed)
    const a = result.accrual
    return {
      points: a.points,
      amount_points: a.amount_points,
      bonus_points: a.bonus_points,
      multiplier_bp: a.multiplier_bp,
      rule_names: a.rule_names,
      contributions: a.contributions,
      pending: result.pending,
      rulebook_version: rulebook.version,
      ...(rulebook.tiers ? { tier: result.tier } : {}),
      ...(rulebook.promotions.length ? { promotions: result.promotions } : {}),
      facts: result.facts,
    }
  }

  /** An entry with the facts and the rulebook (by the entry's version) that produced it. */
  async explain(entry_id: string) {
    const entry = await this.activeManager_.getRepository(LoyaltyLedgerEntry).findOne({ where: { id: entry_id } })
    if (!entry) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Ledger entry ${entry_id} was not found`)
    const version = entry.rulebook_version
    const stored = version ? await this.deps_.loyaltyRulesService.storedRulebook(version) : null
    const details = (entry.details ?? {}) as { facts?: unknown; contributions?: Array<{ rule: string; type: string; points: number }> }
    const accrual = entry.kind === "accrual"
    const rules_fired = accrual
      ? entry.rule_names.map((name) => {
          const mine = (details.contributions ?? []).filter((c) => c.rule === name)
          return { name, type: mine[0]?.type ?? null, contribution: mine.reduce((sum, c) => sum + c.points, 0) }
        })
      : []
    return {
      entry,
      rulebook: version ? { version, files: stored?.files ?? null } : null,
      facts: accrual ? details.facts ?? null : null,
      rules_fired,
    }
  }
}

function issueView(i: RuleFileIssue): IssueView {
  return { file: i.file, line: i.line ?? null, column: i.column ?? null, pointer: i.pointer, message: i.message, hint: i.hint ?? null }
}
