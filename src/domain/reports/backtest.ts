/**
 * Backtest: the store's past accruals re-evaluated under a candidate rulebook and compared with what was earned.
 * Each accrual entry stores the exact facts its live evaluation saw (`details.facts`), so the comparison is "same
 * order, same customer facts, other rules". The store's recorded earning actions are re-evaluated too, under the
 * candidate's action rules, in the order they occurred per member so that limits apply as they would have.
 * Pure: no clock, no database; the caller reads the ledger and times it.
 */
import { evaluateAccrual } from "../program/accrual"
import { actionFacts, evaluateAction, type ActionProperty, type ActionRulebook, type LimitRefusal, type PastAward } from "../program/action"
import type { AccrualFacts, MemberFacts } from "../rules/facts"
import type { Rulebook } from "../rules/rulebook"
import { evaluateTier } from "../program/tiers"

/** One accrual entry of the live ledger. */
export interface BacktestEntry {
  entry_id: string
  customer_id: string
  order_id: string | null
  /** ISO 8601. */
  created_at: string
  /** What the entry earned: points + pending_delta. */
  earned: number
  rule_names: string[]
  /** The facts of the live evaluation; null for entries written before facts were stored (skipped). */
  facts: AccrualFacts | null
  /** Whether the entry counts in the member's 365-day window (`points_last_365d`), decided by the caller. */
  in_window: boolean
}

/** A member as they are now, for the tier comparison. */
export interface BacktestMember {
  customer_id: string
  email: string | null
  /** The account's tier code now. */
  tier: string | null
  /** Member facts now; null when unknown (the candidate tier is then the current one). */
  facts: MemberFacts | null
}

export interface BacktestOrder {
  entry_id: string
  order_id: string | null
  customer_id: string
  created_at: string
  earned: number
  candidate: number
  delta: number
  rule_names_now: string[]
  rule_names_candidate: string[]
}

export interface BacktestSkipped {
  entry_id: string
  order_id: string | null
  customer_id: string
  reason: string
}

/** One recorded earning action (a loyalty_action row) as the backtest reads it. */
export interface BacktestAction {
  action_id: string
  customer_id: string
  type: string
  reference: string
  /** ISO 8601: when the action occurred (limits count by it). */
  occurred_at: string
  properties: Record<string, ActionProperty>
  /** What the action earned live (0 when refused or no rule applied). */
  earned: number
  rule_names: string[]
  /** The member facts its live evaluation saw (stored with an award); null: the member's facts now are used. */
  member: MemberFacts | null
  /** Whether its points count in the member's 365-day window, decided by the caller. */
  in_window: boolean
}

export interface BacktestActionResult {
  action_id: string
  customer_id: string
  type: string
  reference: string
  occurred_at: string
  earned: number
  candidate: number
  delta: number
  rule_names_now: string[]
  rule_names_candidate: string[]
  /** The candidate's rules whose limit was reached for this action. */
  refused: LimitRefusal[]
}

export interface BacktestActionSkipped {
  action_id: string
  customer_id: string
  reason: string
}

export interface BacktestMemberResult {
  customer_id: string
  email: string | null
  orders: number
  actions: number
  points_now: number
  points_candidate: number
  delta: number
  tier_now: string | null
  tier_candidate: string | null
}

export interface TierMove {
  from: string | null
  to: string | null
  count: number
}

export interface BacktestTotals {
  orders_evaluated: number
  skipped: number
  orders_changed: number
  actions_evaluated: number
  actions_changed: number
  actions_skipped: number
  members: number
  /** Points of the evaluated orders and actions as earned. */
  points_now: number
  /** The same under the candidate. */
  points_candidate: number
  /** The actions' share of `points_now`. */
  action_points_now: number
  /** The actions' share of `points_candidate`. */
  action_points_candidate: number
  /** Σ delta of orders and actions: how the points liability would have moved under the candidate. */
  liability_delta: number
  members_changing_tier: number
  tier_moves: TierMove[]
}

export interface BacktestResult {
  rulebook_version: string
  totals: BacktestTotals
  /** By |delta| descending, then customer_id. */
  members: BacktestMemberResult[]
  orders: BacktestOrder[]
  skipped: BacktestSkipped[]
  /** Per member in the order they occurred. */
  actions: BacktestActionResult[]
  actions_skipped: BacktestActionSkipped[]
}

/** Per-member sums of the evaluated orders and actions (in order of first appearance). */
export interface MemberDelta {
  customer_id: string
  orders: number
  /** Actions that earn now or under the candidate (an action earning nothing either way is not counted). */
  actions: number
  points_now: number
  points_candidate: number
  delta: number
  /** The part of `delta` from entries in the 365-day window. */
  window_delta: number
}

/** Re-evaluates one entry under the candidate; null when the entry has no stored facts. */
export function backtestOrder(rulebook: Rulebook, entry: BacktestEntry): BacktestOrder | null {
  if (entry.facts === null) return null
  const result = evaluateAccrual(rulebook, entry.facts)
  return {
    entry_id: entry.entry_id,
    order_id: entry.order_id,
    customer_id: entry.customer_id,
    created_at: entry.created_at,
    earned: entry.earned,
    candidate: result.points,
    delta: result.points - entry.earned,
    rule_names_now: entry.rule_names,
    rule_names_candidate: result.rule_names,
  }
}

/**
 * Re-evaluates recorded actions under the candidate's action rules: per member in occurred order (then action id),
 * each action sees as earlier awards the candidate's own awards of the member's earlier actions plus `prior` (the
 * member's recorded awards outside the evaluated set that occurred no later), so per day / month / year and lifetime
 * limits count as they would have. An action is evaluated with the member facts its live evaluation saw, else the
 * member's facts now (`membersNow`); a member with neither is skipped.
 * Invariants: pure and deterministic; reuses evaluateAction; delta = candidate − earned.
 */
export function backtestActions(
  rulebook: ActionRulebook,
  actions: readonly BacktestAction[],
  membersNow: ReadonlyMap<string, MemberFacts | null>,
  prior: ReadonlyMap<string, readonly PastAward[]> = new Map()
): { results: BacktestActionResult[]; skipped: BacktestActionSkipped[] } {
  const ms = (iso: string) => Date.parse(iso)
  const ordered = [...actions].sort(
    (a, b) => (a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0) || ms(a.occurred_at) - ms(b.occurred_at) || (a.action_id < b.action_id ? -1 : a.action_id > b.action_id ? 1 : 0)
  )
  const results: BacktestActionResult[] = []
  const skipped: BacktestActionSkipped[] = []
  const awarded = new Map<string, PastAward[]>()
  for (const a of ordered) {
    const member = a.member ?? membersNow.get(a.customer_id) ?? null
    if (!member) {
      skipped.push({ action_id: a.action_id, customer_id: a.customer_id, reason: "no member facts (no loyalty account and none stored with the action)" })
      continue
    }
    const at = ms(a.occurred_at)
    const earlier = [...(prior.get(a.customer_id) ?? []).filter((p) => ms(p.occurred_at) <= at), ...(awarded.get(a.customer_id) ?? [])]
    const facts = { action: actionFacts(a, rulebook.program.timezone), member }
    const r = evaluateAction(rulebook, facts, earlier)
    if (r.points > 0) awarded.set(a.customer_id, [...(awarded.get(a.customer_id) ?? []), { occurred_at: facts.action.occurred_at, rule_names: r.rule_names }])
    results.push({
      action_id: a.action_id,
      customer_id: a.customer_id,
      type: a.type,
      reference: a.reference,
      occurred_at: facts.action.occurred_at,
      earned: a.earned,
      candidate: r.points,
      delta: r.points - a.earned,
      rule_names_now: a.rule_names,
      rule_names_candidate: r.rule_names,
      refused: r.refused,
    })
  }
  return { results, skipped }
}

export function memberDeltas(
  orders: readonly BacktestOrder[],
  inWindow: (id: string) => boolean = () => false,
  actions: readonly BacktestActionResult[] = []
): MemberDelta[] {
  const byMember = new Map<string, MemberDelta>()
  const row = (customer_id: string) => byMember.get(customer_id) ?? { customer_id, orders: 0, actions: 0, points_now: 0, points_candidate: 0, delta: 0, window_delta: 0 }
  for (const o of orders) {
    const m = row(o.customer_id)
    m.orders += 1
    m.points_now += o.earned
    m.points_candidate += o.candidate
    m.delta += o.delta
    if (inWindow(o.entry_id)) m.window_delta += o.delta
    byMember.set(o.customer_id, m)
  }
  for (const a of actions) {
    // An action that earns nothing now nor under the candidate (a signup without a rule) adds no member row.
    if (a.earned === 0 && a.candidate === 0) continue
    const m = row(a.customer_id)
    m.actions += 1
    m.points_now += a.earned
    m.points_candidate += a.candidate
    m.delta += a.delta
    if (inWindow(a.action_id)) m.window_delta += a.delta
    byMember.set(a.customer_id, m)
  }
  return [...byMember.values()]
}

/** Member facts as they would be had the candidate been live: lifetime and window points moved by the delta. */
export function adjustedMemberFacts(facts: MemberFacts, delta: MemberDelta): MemberFacts {
  return {
    ...facts,
    points_lifetime: facts.points_lifetime + delta.delta,
    points_last_365d: facts.points_last_365d + delta.window_delta,
  }
}

/**
 * The totals and the member table from evaluated orders and candidate tiers (customer_id → tier code; a member
 * missing from the map keeps their current tier). Sorted members: |delta| descending, then customer_id.
 */
export function aggregateBacktest(
  rulebook_version: string,
  orders: readonly BacktestOrder[],
  skipped: readonly BacktestSkipped[],
  members: ReadonlyMap<string, Pick<BacktestMember, "email" | "tier">>,
  candidateTiers: ReadonlyMap<string, string | null>,
  actions: readonly BacktestActionResult[] = [],
  actionsSkipped: readonly BacktestActionSkipped[] = []
): BacktestResult {
  const rows: BacktestMemberResult[] = memberDeltas(orders, undefined, actions).map((d) => {
    const member = members.get(d.customer_id)
    const tier_now = member?.tier ?? null
    return {
      customer_id: d.customer_id,
      email: member?.email ?? null,
      orders: d.orders,
      actions: d.actions,
      points_now: d.points_now,
      points_candidate: d.points_candidate,
      delta: d.delta,
      tier_now,
      tier_candidate: candidateTiers.has(d.customer_id) ? (candidateTiers.get(d.customer_id) as string | null) : tier_now,
    }
  })
  rows.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0))

  const moves = new Map<string, TierMove>()
  for (const r of rows) {
    if (r.tier_now === r.tier_candidate) continue
    const key = `${r.tier_now ?? ""}\u0000${r.tier_candidate ?? ""}`
    const move = moves.get(key) ?? { from: r.tier_now, to: r.tier_candidate, count: 0 }
    move.count += 1
    moves.set(key, move)
  }
  const tier_moves = [...moves.values()].sort((a, b) => b.count - a.count || `${a.from}>${a.to}`.localeCompare(`${b.from}>${b.to}`))

  const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0)
  const action_points_now = sum(actions, (a) => a.earned)
  const action_points_candidate = sum(actions, (a) => a.candidate)
  return {
    rulebook_version,
    totals: {
      orders_evaluated: orders.length,
      skipped: skipped.length,
      orders_changed: orders.filter((o) => o.delta !== 0).length,
      actions_evaluated: actions.length,
      actions_changed: actions.filter((a) => a.delta !== 0).length,
      actions_skipped: actionsSkipped.length,
      members: rows.length,
      points_now: sum(orders, (o) => o.earned) + action_points_now,
      points_candidate: sum(orders, (o) => o.candidate) + action_points_candidate,
      action_points_now,
      action_points_candidate,
      liability_delta: sum(orders, (o) => o.delta) + action_points_candidate - action_points_now,
      members_changing_tier: tier_moves.reduce((s, m) => s + m.count, 0),
      tier_moves,
    },
    members: rows,
    orders: [...orders],
    skipped: [...skipped],
    actions: [...actions],
    actions_skipped: [...actionsSkipped],
  }
}

/**
 * The whole backtest: every entry under the candidate (`onProgress(done, total)` after each), then the recorded
 * actions (see backtestActions; `prior` holds each member's recorded awards outside `actions`), then candidate tiers
 * (only when the candidate has a tiers file and the member's facts are known), then the aggregate.
 */
export async function runBacktest(
  rulebook: Rulebook,
  entries: readonly BacktestEntry[],
  members: readonly BacktestMember[],
  onProgress: (done: number, total: number) => void = () => undefined,
  actions: readonly BacktestAction[] = [],
  prior: ReadonlyMap<string, readonly PastAward[]> = new Map()
): Promise<BacktestResult> {
  const orders: BacktestOrder[] = []
  const skipped: BacktestSkipped[] = []
  let done = 0
  for (const entry of entries) {
    const order = backtestOrder(rulebook, entry)
    if (order) orders.push(order)
    else skipped.push({ entry_id: entry.entry_id, order_id: entry.order_id, customer_id: entry.customer_id, reason: "no stored facts (entry written before facts were recorded)" })
    onProgress(++done, entries.length)
  }
  const byId = new Map(members.map((m) => [m.customer_id, m]))
  const evaluated = backtestActions(rulebook, actions, new Map(members.map((m) => [m.customer_id, m.facts])), prior)
  const windowed = new Set([...entries.filter((e) => e.in_window).map((e) => e.entry_id), ...actions.filter((a) => a.in_window).map((a) => a.action_id)])
  const candidateTiers = new Map<string, string | null>()
  if (rulebook.tiers !== null) {
    for (const delta of memberDeltas(orders, (id) => windowed.has(id), evaluated.results)) {
      const facts = byId.get(delta.customer_id)?.facts
      if (!facts) continue
      candidateTiers.set(delta.customer_id, evaluateTier(rulebook, adjustedMemberFacts(facts, delta))?.code ?? null)
    }
  }
  return aggregateBacktest(rulebook.version, orders, skipped, byId, candidateTiers, evaluated.results, evaluated.skipped)
}
