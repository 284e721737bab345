/**
 * Backtest: the store's past accruals re-evaluated under a candidate rulebook and compared with what was earned.
 * Each accrual entry stores the exact facts its live evaluation saw (`details.facts`), so the comparison is "same
 * order, same customer facts, other rules". Pure: no clock, no database; the caller reads the ledger and times it.
 */
import { evaluateAccrual } from "./accrual"
import type { AccrualFacts, MemberFacts } from "./facts"
import type { Rulebook } from "./rulebook"
import { evaluateTier } from "./tiers"

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

export interface BacktestMemberResult {
  customer_id: string
  email: string | null
  orders: number
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
  members: number
  points_now: number
  points_candidate: number
  /** Σ delta: how the points liability would have moved under the candidate. */
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
}

/** Per-member sums of the evaluated orders (in order of first appearance). */
export interface MemberDelta {
  customer_id: string
  orders: number
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

export function memberDeltas(orders: readonly BacktestOrder[], inWindow: (entry_id: string) => boolean = () => false): MemberDelta[] {
  const byMember = new Map<string, MemberDelta>()
  for (const o of orders) {
    const m = byMember.get(o.customer_id) ?? { customer_id: o.customer_id, orders: 0, points_now: 0, points_candidate: 0, delta: 0, window_delta: 0 }
    m.orders += 1
    m.points_now += o.earned
    m.points_candidate += o.candidate
    m.delta += o.delta
    if (inWindow(o.entry_id)) m.window_delta += o.delta
    byMember.set(o.customer_id, m)
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
  candidateTiers: ReadonlyMap<string, string | null>
): BacktestResult {
  const rows: BacktestMemberResult[] = memberDeltas(orders).map((d) => {
    const member = members.get(d.customer_id)
    const tier_now = member?.tier ?? null
    return {
      customer_id: d.customer_id,
      email: member?.email ?? null,
      orders: d.orders,
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

  const sum = (f: (o: BacktestOrder) => number) => orders.reduce((s, o) => s + f(o), 0)
  return {
    rulebook_version,
    totals: {
      orders_evaluated: orders.length,
      skipped: skipped.length,
      orders_changed: orders.filter((o) => o.delta !== 0).length,
      members: rows.length,
      points_now: sum((o) => o.earned),
      points_candidate: sum((o) => o.candidate),
      liability_delta: sum((o) => o.delta),
      members_changing_tier: tier_moves.reduce((s, m) => s + m.count, 0),
      tier_moves,
    },
    members: rows,
    orders: [...orders],
    skipped: [...skipped],
  }
}

/**
 * The whole backtest: every entry under the candidate (`onProgress(done, total)` after each), then candidate tiers
 * (only when the candidate has a tiers file and the member's facts are known), then the aggregate.
 */
export async function runBacktest(
  rulebook: Rulebook,
  entries: readonly BacktestEntry[],
  members: readonly BacktestMember[],
  onProgress: (done: number, total: number) => void = () => undefined
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
  const windowed = new Set(entries.filter((e) => e.in_window).map((e) => e.entry_id))
  const byId = new Map(members.map((m) => [m.customer_id, m]))
  const candidateTiers = new Map<string, string | null>()
  if (rulebook.tiers !== null) {
    for (const delta of memberDeltas(orders, (id) => windowed.has(id))) {
      const facts = byId.get(delta.customer_id)?.facts
      if (!facts) continue
      candidateTiers.set(delta.customer_id, evaluateTier(rulebook, adjustedMemberFacts(facts, delta))?.code ?? null)
    }
  }
  return aggregateBacktest(rulebook.version, orders, skipped, byId, candidateTiers)
}
