/**
 * Accrual: how many points an order earns under a rulebook. The engine only decides WHICH rules fire; the points
 * are computed here from the fired rules' declared params, with the one rounding rule of points.ts.
 */
import type { AccrualFacts } from "./facts"
import { amountPoints, applyMultipliers, BASIS_POINTS_ONE, combineBasisPoints, toBasisPoints } from "./points"
import { compiledPredicate } from "./compiled-condition"
import type { AccrualRuleDef, Rulebook } from "./rulebook"
import type { AmountBasis } from "./rule-schema"

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
  return computeAccrual(firedRules(rulebook.accrual, facts), facts, rulebook.version)
}

/** The fired rule definitions in deterministic order (priority desc, name asc). */
export function firedRules(rules: readonly AccrualRuleDef[], facts: AccrualFacts): AccrualRuleDef[] {
  const fact_map = { order: facts.order, customer: facts.customer }
  return rules.filter((rule) => compiledPredicate(rule.conditions)(fact_map)).sort(byPriorityThenName)
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
  const contributions: AccrualContribution[] = []
  const add = (rule: AccrualRuleDef, points: number) => contributions.push({ rule: rule.name, type: rule.event.type, points })

  let amount_points = 0
  for (const rule of fired) {
    if (rule.event.type !== "points_per_amount") continue
    const { points, per_minor, amount } = rule.event.params
    const earned = amountPoints(basisAmount(facts.order, amount), points, per_minor)
    amount_points += earned
    add(rule, earned)
  }

  // Multipliers compound; each is credited with the growth of the cumulative (rounded-down) product, so the
  // credits sum exactly to the total extra and the last multiplier absorbs the one final rounding.
  const factors_bp: number[] = []
  let multiplied = amount_points
  for (const rule of fired) {
    if (rule.event.type !== "multiplier") continue
    factors_bp.push(toBasisPoints(rule.event.params.factor))
    const next = applyMultipliers(amount_points, factors_bp)
    add(rule, next - multiplied)
    multiplied = next
  }

  let bonus_points = 0
  for (const rule of fired) {
    if (rule.event.type !== "fixed_bonus") continue
    bonus_points += rule.event.params.points
    add(rule, rule.event.params.points)
  }

  const uncapped = multiplied + bonus_points
  const points = applyCaps(fired, uncapped, add)
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

/** The smallest fired cap wins; it is credited with the (negative) cut, other caps with 0. */
function applyCaps(fired: readonly AccrualRuleDef[], uncapped: number, add: (rule: AccrualRuleDef, points: number) => void): number {
  const caps = fired.filter((r) => r.event.type === "cap")
  const maxOf = (r: AccrualRuleDef) => (r.event.type === "cap" ? r.event.params.max_points : Infinity)
  const binding = caps.reduce<AccrualRuleDef | undefined>((best, r) => (best === undefined || maxOf(r) < maxOf(best) ? r : best), undefined)
  const points = binding === undefined ? uncapped : Math.min(uncapped, maxOf(binding))
  for (const cap of caps) add(cap, cap === binding ? points - uncapped : 0)
  return points
}
