/**
 * The admin views of the rules toolchain, shared by both adapters' routes: what is live, dry-run validation, the
 * simulation answer and the explanation of a past accrual. Pure: the adapters read state, entries and stored files.
 */
import type { AccrualContribution } from "../program/accrual"
import { compileRulebook, type Rulebook, type RuleFileIssue } from "../rules/rulebook"
import type { RulebookState } from "../rules/rulebook-state"
import type { ActionInput, SimulationResult } from "../reports/simulation"
import { actionFacts, type ActionResult } from "../program/action"
import { z } from "zod"

/** An issue as the admin API shows it: every key present (null when unknown). */
export type IssueView = { file: string; line: number | null; column: number | null; pointer: string; message: string; hint: string | null }

export type RulesView = {
  version: string | null
  loaded_at: Date | null
  rules_dir: string
  files: string[]
  last_reload_error: { at: Date; issues: IssueView[] } | null
}

export function issueView(i: RuleFileIssue): IssueView {
  return { file: i.file, line: i.line ?? null, column: i.column ?? null, pointer: i.pointer, message: i.message, hint: i.hint ?? null }
}

/** GET /admin/loyalty/rules: the live version, its files and the last reload error. */
export function describeRules(state: RulebookState): RulesView {
  return {
    version: state.rulebook?.version ?? null,
    loaded_at: state.loaded_at,
    rules_dir: state.rules_dir,
    files: [...(state.rulebook?.files ?? [])],
    last_reload_error: state.error ? { at: state.error.at, issues: state.error.issues.map(issueView) } : null,
  }
}

/** The validate body schema lives with the other rule-file inputs. */
export { rulesValidateBody } from "./rule-files-input"

/** POST /admin/loyalty/rules/validate: compiles `files` as one rulebook without applying anything. */
export function validateRuleFiles(files: Array<{ name: string; content: string }>): { valid: boolean; version?: string; issues: IssueView[] } {
  const result = compileRulebook(files.map((f) => ({ name: f.name, text: f.content })))
  return result.ok ? { valid: true, version: result.rulebook.version, issues: [] } : { valid: false, issues: result.issues.map(issueView) }
}

/** The message of a refused reload (the previous rulebook stays live). */
export function reloadRefusal(state: RulebookState): string {
  const kept = state.rulebook ? `version ${state.rulebook.version} stays live` : "no rulebook is live"
  return `The rule files in ${state.rules_dir} are invalid (${state.error?.issues.length ?? 0} issue(s)); ${kept}`
}

/** POST /admin/loyalty/simulate: the answer's shape, from the core's simulation result. */
export function simulationView(rulebook: Rulebook, result: SimulationResult) {
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

/** The answer to an earning action's simulation (ActionSimulation): the verdict and the action's facts in store time. */
export function actionSimulationView(rulebook: Rulebook, action: ActionInput, result: ActionResult) {
  return {
    points: result.points,
    rule_names: result.rule_names,
    contributions: result.contributions,
    refused: result.refused,
    rulebook_version: result.rulebook_version,
    facts: { action: actionFacts(action, rulebook.program.timezone) },
  }
}

/** What GET /admin/loyalty/entries/:id/explain adds to an entry: its rulebook, the facts it saw, the rules that fired. */
export function explainEntry(
  entry: { kind: string; rule_names: readonly string[]; rulebook_version: string | null; details: Record<string, unknown> | null },
  stored_files: Array<{ name: string; text: string }> | null
) {
  const details = (entry.details ?? {}) as { facts?: unknown; contributions?: Array<Omit<AccrualContribution, "type"> & { type?: string }> }
  // Accruals and earning actions store the facts they were evaluated with and each rule's contribution.
  const accrual = entry.kind === "accrual" || entry.kind === "action"
  const rules_fired = accrual
    ? entry.rule_names.map((name) => {
        const mine = (details.contributions ?? []).filter((c) => c.rule === name)
        return { name, type: mine[0]?.type ?? (entry.kind === "action" ? "award_points" : null), contribution: mine.reduce((sum, c) => sum + c.points, 0) }
      })
    : []
  const version = entry.rulebook_version
  return {
    rulebook: version ? { version, files: stored_files } : null,
    facts: accrual ? details.facts ?? null : null,
    rules_fired,
  }
}
