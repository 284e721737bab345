/**
 * Earning actions: something a member did outside an order (signed up, had a birthday, referred a friend, wrote a
 * review) evaluated against the rulebook's action rules. Each fired rule awards its fixed points unless one of its
 * limits is reached for this member; the result says which rules awarded, which were refused and why. Pure: the
 * caller passes the member's earlier awards and the instant the action occurred (never the clock).
 */
import { createHash } from "crypto"
import { inWindow } from "../rules/campaign-window"
import { compiledPredicate } from "../rules/compiled-condition"
import type { ActionFacts, ActionProperty, MemberFacts } from "../rules/facts"
import type { ActionLimitKey, ActionLimits } from "../rules/action-schema"
import type { TopLevelCondition } from "../rules/condition"
import { localTime, type LocalTime } from "../shared/store-time"

/** Action types the plugin reports itself (never through the admin route). */
export const BUILT_IN_ACTION_TYPES = ["signup", "birthday", "referral"] as const
/** An action type: lower-case letters, digits and "_", e.g. "review", "social_follow". */
export const ACTION_TYPE_PATTERN = /^[a-z][a-z0-9_]{0,49}$/

/** A property value of an action: the merchant's own data, compared with `$.properties.<key>`. */
// The action fact's types live with the other facts (facts.ts): the fact catalogue reads them without importing rules.
export type { ActionFacts, ActionProperty } from "../rules/facts"

/** An action rule as compiled into the rulebook. */
export interface ActionRuleDef {
  readonly name: string
  readonly description?: string
  readonly priority: number
  readonly starts_at?: string
  readonly ends_at?: string
  readonly conditions: TopLevelCondition
  readonly event: { readonly type: "award_points"; readonly params: { readonly points: number } }
  readonly limits?: ActionLimits
  readonly file: string
}

/** What evaluating an action needs from the rulebook. */
export interface ActionRulebook {
  readonly version: string
  readonly actions: readonly ActionRuleDef[]
  readonly program: { readonly timezone: string }
}

/** One earlier award of the member: when its action occurred and which rules awarded it. */
export interface PastAward {
  occurred_at: string
  rule_names: readonly string[]
}

export interface LimitRefusal {
  rule: string
  limit: ActionLimitKey
  max: number
  /** The period that is full: "2026-11-30", "2026-11", "2026", or "lifetime". */
  period: string
  message: string
}

export interface ActionResult {
  /** Σ points of the rules that awarded: an integer ≥ 0. */
  points: number
  /** Rules that awarded, priority descending then name ascending. */
  rule_names: string[]
  contributions: Array<{ rule: string; points: number }>
  /** Rules whose conditions held but whose limit was reached (no points from them). */
  refused: LimitRefusal[]
  rulebook_version: string
}

/**
 * The action fact of a reported action, with its store-local date, weekday and hour in `timezone`.
 * Invariant: pure; `occurred_at` must be a valid instant (checked by the caller's input schema).
 */
export function actionFacts(input: { type: string; reference: string; occurred_at: string; properties?: Record<string, ActionProperty> }, timezone: string): ActionFacts {
  const occurred_at_ms = Date.parse(input.occurred_at)
  return {
    type: input.type,
    reference: input.reference,
    occurred_at: new Date(occurred_at_ms).toISOString(),
    occurred_at_ms,
    ...localTime(occurred_at_ms, timezone),
    properties: { ...(input.properties ?? {}) },
  }
}

/**
 * Evaluates an action for a member. A rule awards when its window contains the action's time, its conditions hold
 * over `{ action, member }`, and none of its limits is reached: for each limit, the member's earlier awards BY THIS
 * RULE in the same store-local day / month / year as the action (or ever) must number fewer than the limit.
 * Invariants: pure and deterministic; points are the sum of the awarding rules' fixed points; a refused rule adds
 * nothing and is listed with the full period.
 */
export function evaluateAction(rulebook: ActionRulebook, facts: { action: ActionFacts; member: MemberFacts }, history: readonly PastAward[]): ActionResult {
  const timezone = rulebook.program.timezone
  const rules = [...rulebook.actions].sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const result: ActionResult = { points: 0, rule_names: [], contributions: [], refused: [], rulebook_version: rulebook.version }
  let pastLocal: Array<{ date: string; rule_names: readonly string[] }> | undefined
  for (const rule of rules) {
    if (!inWindow(rule, facts.action.occurred_at_ms) || !compiledPredicate(rule.conditions)(facts)) continue
    pastLocal ??= history.map((h) => ({ date: localTime(Date.parse(h.occurred_at), timezone).local_date, rule_names: h.rule_names }))
    const refusal = limitRefusal(rule, facts.action.local_date, pastLocal)
    if (refusal) {
      result.refused.push(refusal)
      continue
    }
    result.points += rule.event.params.points
    result.rule_names.push(rule.name)
    result.contributions.push({ rule: rule.name, points: rule.event.params.points })
  }
  return result
}

const PERIOD_LENGTH: Record<ActionLimitKey, number> = { per_day: 10, per_month: 7, per_year: 4, lifetime: 0 }
const PERIOD_WORD: Record<ActionLimitKey, string> = { per_day: "a day", per_month: "a month", per_year: "a year", lifetime: "ever" }

/** The first limit of `rule` the member has reached on `local_date`, or undefined. */
function limitRefusal(rule: ActionRuleDef, local_date: string, past: ReadonlyArray<{ date: string; rule_names: readonly string[] }>): LimitRefusal | undefined {
  if (!rule.limits) return undefined
  for (const key of ["lifetime", "per_year", "per_month", "per_day"] as const) {
    const max = rule.limits[key]
    if (max === undefined) continue
    const period = local_date.slice(0, PERIOD_LENGTH[key])
    const count = past.filter((p) => p.rule_names.includes(rule.name) && p.date.startsWith(period)).length
    if (count >= max) {
      const label = key === "lifetime" ? "lifetime" : period
      return { rule: rule.name, limit: key, max, period: label, message: `limit reached: "${rule.name}" awards at most ${max} ${max === 1 ? "time" : "times"} ${PERIOD_WORD[key]} per member (${label}: ${count} already)` }
    }
  }
  return undefined
}

/**
 * A stable fingerprint of what a reported action means: the same customer, type, reference, occurred_at (as given,
 * or null when the server chose it) and properties hash the same (a replay); anything else differs (a conflict).
 * Invariant: property key order does not matter.
 */
export function actionPayloadHash(a: { customer_id: string; type: string; reference: string; occurred_at: string | null; properties: Record<string, ActionProperty> }): string {
  const occurred = a.occurred_at === null ? null : new Date(Date.parse(a.occurred_at)).toISOString()
  const properties = Object.keys(a.properties).sort().map((k) => [k, a.properties[k]])
  return createHash("sha256").update(JSON.stringify([a.customer_id, a.type, a.reference, occurred, properties])).digest("hex")
}

