/**
 * Accrual: how many points an order earns under a rulebook. The engine only decides WHICH rules fire; the points
 * are computed here from the fired rules' declared params, with the one rounding rule of points.ts.
 */
import { inWindow } from "../rules/campaign-window"
import type { AccrualFacts, OrderFacts, OrderTimeFacts } from "../rules/facts"
import { localTime } from "../shared/store-time"
import { amountPoints, BASIS_POINTS_ONE, combineBasisPoints, multiplierSteps, toBasisPoints } from "./points"
import { compiledPredicate, type Predicate } from "../rules/compiled-condition"
import type { AccrualRuleDef, Rulebook } from "../rules/rulebook"
import type { AmountBasis } from "../rules/rule-schema"

export interface AccrualContribution {
  rule: string
  type: string
  /** Signed: multipliers may add (or, below ×1, remove) points; a binding cap removes them. */
  points: number
}

export interface AccrualResult {
  /** Points to award: integer ≥ 0; equals the sum of `contributions[].points`. */
  points: number
  /** Σ points_per_amount before multipliers. */
  amount_points: number
  /** Σ fixed_bonus (never multiplied). */
  bonus_points: number
  /** Combined multiplier of the fired multiplier rules in basis points (10000 = ×1), rounded down; informative. */
  multiplier_bp: number
  /** Fired rules, priority descending then name ascending. */
  rule_names: string[]
  contributions: AccrualContribution[]
  /** subtotal − discount_total, clamped ≥ 0: the base for proportional clawbacks on refunds. */
  basis_minor: number
  /** The rulebook version that produced this result (stored on the ledger entry; clawbacks reuse it). */
  rulebook_version: string
}

/**
 * Evaluates `facts` against the rulebook's accrual rules.
 * amount = Σ points_per_amount (each on its own basis, per whole block, rounded down);
 * amount × Π multipliers, rounded down once; + Σ fixed bonuses; then min(smallest fired cap).
 * Invariants: pure and synchronous (compiled conditions, no shared state: safe under concurrency); all outputs
 * integers; points ≥ 0; the same rulebook and facts always give the same result; the rules that fire are exactly
 * those json-rules-engine fires (tests/unit/evaluator-differential.test.ts).
 */
export function evaluateAccrual(rulebook: Rulebook, facts: AccrualFacts): AccrualResult {
  return computeAccrual(firedRules(rulebook.accrual, facts, rulebook.program.timezone), facts, rulebook.version)
}

/**
 * The fired rule definitions in deterministic order (priority desc, name asc). The order fact is completed with its
 * store-local time in `timezone` (orderTimeFacts); a rule with a campaign window fires only for orders placed inside it.
 */
export function firedRules(rules: readonly AccrualRuleDef[], facts: AccrualFacts, timezone = "UTC"): AccrualRuleDef[] {
  const order = { ...facts.order, ...orderTimeFacts(facts.order, timezone) }
  const fact_map = { order, customer: facts.customer }
  const fired: AccrualRuleDef[] = []
  for (const { rule, holds } of compiledRules(rules)) if (inWindow(rule, order.placed_at) && holds(fact_map)) fired.push(rule)
  return fired
}

/**
 * The order's store-local time facts, from its own created_at (never the clock): placed_at in epoch milliseconds,
 * local date, weekday and hour in `timezone`. Invariant: pure; an unparsable created_at yields NaN and no local
 * fields (every comparison on them is then false, and every bounded window excludes the order).
 */
export function orderTimeFacts(order: Pick<OrderFacts, "created_at">, timezone: string): Partial<OrderTimeFacts> & { placed_at: number } {
  const placed_at = Date.parse(order.created_at)
  return Number.isFinite(placed_at) ? { placed_at, ...localTime(placed_at, timezone) } : { placed_at: NaN }
}

const compiled = new WeakMap<readonly AccrualRuleDef[], Array<{ rule: AccrualRuleDef; holds: Predicate }>>()

/** The rules with their predicates, sorted once per (frozen) rule list: no sort and no lookup per order. */
function compiledRules(rules: readonly AccrualRuleDef[]): Array<{ rule: AccrualRuleDef; holds: Predicate }> {
  let list = compiled.get(rules)
  if (list === undefined) {
    list = [...rules].sort(byPriorityThenName).map((rule) => ({ rule, holds: compiledPredicate(rule.conditions) }))
    compiled.set(rules, list)
  }
  return list
}

function byPriorityThenName(a: AccrualRuleDef, b: AccrualRuleDef): number {
  return b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

/** The order amount a points_per_amount rule earns on, in minor units (may be negative; amountPoints clamps). */
export function basisAmount(order: AccrualFacts["order"], basis: AmountBasis): number {
  if (basis === "subtotal") return order.subtotal
  if (basis === "total") return order.total
  return order.subtotal - order.discount_total
}

/** The arithmetic of accrual over already-fired rules (exported for the CLI's explanations and for tests). */
export function computeAccrual(fired: readonly AccrualRuleDef[], facts: AccrualFacts, rulebook_version: string): AccrualResult {
  // One pass sorts the fired rules by event type; contributions are then listed amount → multipliers → bonuses → caps.
  const contributions: AccrualContribution[] = []
  const multipliers: AccrualRuleDef[] = []
  const bonuses: AccrualRuleDef[] = []
  const caps: AccrualRuleDef[] = []
  let amount_points = 0
  for (const rule of fired) {
    const event = rule.event
    if (event.type === "points_per_amount") {
      const earned = amountPoints(basisAmount(facts.order, event.params.amount), event.params.points, event.params.per_minor)
      amount_points += earned
      contributions.push({ rule: rule.name, type: event.type, points: earned })
    } else if (event.type === "multiplier") multipliers.push(rule)
    else if (event.type === "fixed_bonus") bonuses.push(rule)
    else caps.push(rule)
  }

  // Multipliers compound; each is credited with the growth of the cumulative (rounded-down) product, so the
  // credits sum exactly to the total extra and the last multiplier absorbs the one final rounding.
  const factors_bp = multipliers.map((rule) => toBasisPoints(rule.event.type === "multiplier" ? rule.event.params.factor : 1))
  const steps = multiplierSteps(amount_points, factors_bp)
  let multiplied = amount_points
  for (let i = 0; i < multipliers.length; i++) {
    contributions.push({ rule: multipliers[i].name, type: "multiplier", points: steps[i] - multiplied })
    multiplied = steps[i]
  }

  let bonus_points = 0
  for (const rule of bonuses) {
    const points = rule.event.type === "fixed_bonus" ? rule.event.params.points : 0
    bonus_points += points
    contributions.push({ rule: rule.name, type: "fixed_bonus", points })
  }

  const points = applyCaps(caps, multiplied + bonus_points, contributions)
  return {
    points,
    amount_points,
    bonus_points,
    multiplier_bp: factors_bp.length ? combineBasisPoints(factors_bp) : BASIS_POINTS_ONE,
    rule_names: fired.map((r) => r.name),
    contributions,
    basis_minor: Math.max(facts.order.subtotal - facts.order.discount_total, 0),
    rulebook_version,
  }
}

/** The smallest fired cap wins (the first of equals); it is credited with the (negative) cut, other caps with 0. */
function applyCaps(caps: readonly AccrualRuleDef[], uncapped: number, contributions: AccrualContribution[]): number {
  if (caps.length === 0) return uncapped
  const maxOf = (r: AccrualRuleDef) => (r.event.type === "cap" ? r.event.params.max_points : Infinity)
  const binding = caps.reduce((best, r) => (maxOf(r) < maxOf(best) ? r : best))
  const points = Math.min(uncapped, maxOf(binding))
  for (const cap of caps) contributions.push({ rule: cap.name, type: "cap", points: cap === binding ? points - uncapped : 0 })
  return points
}
