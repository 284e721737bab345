/**
 * Accrual: how many points an order earns under a rulebook. The engine only decides WHICH rules fire; the points
 * are computed here from the fired rules' declared params, with the one rounding rule of points.ts.
 */
import { compiledWindow } from "../rules/campaign-window"
import type { AccrualFacts, OrderFacts, OrderTimeFacts } from "../rules/facts"
import { localTime } from "../shared/store-time"
import { amountPoints, BASIS_POINTS_ONE, combineBasisPoints, multiplierSteps, toBasisPoints } from "./points"
import { compiledPredicate, type Predicate } from "../rules/compiled-condition"
import type { ConditionNode } from "../rules/condition"
import { parseFactPath } from "../rules/fact-catalogue"
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
 * Only what some rule can observe is derived: the local time when a condition reads an order time field, the order's
 * instant when a rule has a window. Leaving the rest out changes no decision (a rule that reads neither decides on
 * the caller's order fields alone) and is most of the cost of evaluating a small program.
 */
export function firedRules(rules: readonly AccrualRuleDef[], facts: AccrualFacts, timezone = "UTC"): AccrualRuleDef[] {
  const plan = accrualPlan(rules)
  const time = plan.reads_order_time ? orderTimeFacts(facts.order, timezone) : undefined
  const fact_map = { order: time === undefined ? facts.order : { ...facts.order, ...time }, customer: facts.customer }
  let placed_at = time?.placed_at
  const fired: AccrualRuleDef[] = []
  for (const { rule, window, holds } of plan.rules) {
    if (window !== undefined && !window((placed_at ??= Date.parse(facts.order.created_at)))) continue
    if (holds(fact_map)) fired.push(rule)
  }
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

/** What evaluating one order under a rule list takes, worked out once per (frozen) rule list. */
interface AccrualPlan {
  /** Sorted by priority desc, name asc: no sort per order. */
  readonly rules: ReadonlyArray<{ rule: AccrualRuleDef; window: ((ms: number) => boolean) | undefined; holds: Predicate }>
  /** Whether any condition may read an order time field (OrderTimeFacts): else orderTimeFacts is never called. */
  readonly reads_order_time: boolean
}

const plans = new WeakMap<readonly AccrualRuleDef[], AccrualPlan>()

function accrualPlan(rules: readonly AccrualRuleDef[]): AccrualPlan {
  let plan = plans.get(rules)
  if (plan === undefined) {
    plan = {
      rules: [...rules].sort(byPriorityThenName).map((rule) => ({ rule, window: compiledWindow(rule), holds: compiledPredicate(rule.conditions) })),
      reads_order_time: rules.some((rule) => readsOrderTime(rule.conditions)),
    }
    plans.set(rules, plan)
  }
  return plan
}

/** The derived order fields; typed as a record of OrderTimeFacts' keys so that a new time fact cannot be missed here. */
const ORDER_TIME_FIELDS: Readonly<Record<keyof OrderTimeFacts, true>> = { placed_at: true, local_date: true, local_weekday: true, local_hour: true }

/**
 * Whether a condition may read an order time field. Conservative: a leaf on the whole order fact (no path) counts,
 * and so does every path whose first field is a time field; a path outside the grammar resolves to undefined whatever
 * the order holds, so it does not.
 */
export function readsOrderTime(node: ConditionNode): boolean {
  if ("all" in node) return node.all.some(readsOrderTime)
  if ("any" in node) return node.any.some(readsOrderTime)
  if ("not" in node) return readsOrderTime(node.not)
  if (node.fact !== "order") return false
  if (!node.path) return true
  const first = parseFactPath(node.path)?.[0]
  return first !== undefined && "prop" in first && Object.prototype.hasOwnProperty.call(ORDER_TIME_FIELDS, first.prop)
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
  // Contributions are listed amount → multipliers → bonuses → caps, each in fired order: one pass per kind over the
  // (few) fired rules, skipped when no rule of the kind fired, rather than a list per kind built on every order.
  const contributions: AccrualContribution[] = []
  let amount_points = 0
  let multipliers = 0
  let bonuses = 0
  let caps = 0
  for (const rule of fired) {
    const event = rule.event
    if (event.type === "points_per_amount") {
      const earned = amountPoints(basisAmount(facts.order, event.params.amount), event.params.points, event.params.per_minor)
      amount_points += earned
      contributions.push({ rule: rule.name, type: event.type, points: earned })
    } else if (event.type === "multiplier") multipliers++
    else if (event.type === "fixed_bonus") bonuses++
    else caps++
  }

  // Multipliers compound; each is credited with the growth of the cumulative (rounded-down) product, so the
  // credits sum exactly to the total extra and the last multiplier absorbs the one final rounding.
  let multiplied = amount_points
  let multiplier_bp = BASIS_POINTS_ONE
  if (multipliers > 0) {
    const factors_bp: number[] = []
    for (const { event } of fired) if (event.type === "multiplier") factors_bp.push(toBasisPoints(event.params.factor))
    const steps = multiplierSteps(amount_points, factors_bp)
    let i = 0
    for (const rule of fired) {
      if (rule.event.type !== "multiplier") continue
      contributions.push({ rule: rule.name, type: "multiplier", points: steps[i] - multiplied })
      multiplied = steps[i++]
    }
    multiplier_bp = combineBasisPoints(factors_bp)
  }

  let bonus_points = 0
  if (bonuses > 0) {
    for (const rule of fired) {
      if (rule.event.type !== "fixed_bonus") continue
      bonus_points += rule.event.params.points
      contributions.push({ rule: rule.name, type: "fixed_bonus", points: rule.event.params.points })
    }
  }

  const uncapped = multiplied + bonus_points
  const points = caps > 0 ? applyCaps(fired.filter((r) => r.event.type === "cap"), uncapped, contributions) : uncapped
  const rule_names: string[] = []
  for (const rule of fired) rule_names.push(rule.name)
  return {
    points,
    amount_points,
    bonus_points,
    multiplier_bp,
    rule_names,
    contributions,
    basis_minor: Math.max(facts.order.subtotal - facts.order.discount_total, 0),
    rulebook_version,
  }
}

/** The smallest fired cap wins (the first of equals; `caps` is never empty); it is credited with the (negative) cut, other caps with 0. */
function applyCaps(caps: readonly AccrualRuleDef[], uncapped: number, contributions: AccrualContribution[]): number {
  const maxOf = (r: AccrualRuleDef) => (r.event.type === "cap" ? r.event.params.max_points : Infinity)
  const binding = caps.reduce((best, r) => (maxOf(r) < maxOf(best) ? r : best))
  const points = Math.min(uncapped, maxOf(binding))
  for (const cap of caps) contributions.push({ rule: cap.name, type: "cap", points: cap === binding ? points - uncapped : 0 })
  return points
}
