/**
 * Tiers: which tier a member qualifies for, what the next one takes, and whether a stored tier changes. The engine
 * only decides WHICH tiers' conditions hold; the highest rank wins. Downgrades follow the file's policy: never, or
 * after the member has stayed below their tier for a grace period (the caller stores `below_since` meanwhile).
 */
import type { TopLevelCondition } from "../rules/condition"
import type { MemberFacts } from "../rules/facts"
import { resolveFactPath } from "../rules/fact-catalogue"
import { compiledPredicate } from "../rules/compiled-condition"
import type { DowngradePolicy } from "../rules/tier-schema"

/** What tier decisions read of a rulebook (its ladder; null when it has no tiers file). */
type WithTiers = { readonly tiers: TiersDef | null }
import { DAY_MS } from "../shared/time"

export type { DowngradePolicy }

/** A tier's simple threshold: the member qualifies iff the number at `path` is ≥ `value` (a whole number). */
export interface TierThreshold {
  readonly path: string
  readonly value: number
}

export interface TierDef {
  readonly code: string
  readonly name: string
  readonly description?: string
  /** Unique; higher is better. */
  readonly rank: number
  /** Medusa customer group kept in sync with the tier's members (the file's, or "Loyalty: <name>"). */
  readonly customer_group: string
  readonly conditions: TopLevelCondition
  /** Derived from single-threshold conditions (see tier-ladder.ts); null for the base tier and complex conditions. */
  readonly threshold: TierThreshold | null
}

export interface TiersDef {
  /** The tiers file the ladder came from. */
  readonly file: string
  readonly downgrade: DowngradePolicy
  /** By rank ascending; `tiers[0]` is the base tier every member qualifies for. */
  readonly tiers: readonly TierDef[]
}

/** A tier as stored on an account and reported to callers. */
export interface TierRef {
  code: string
  name: string
  rank: number
}

export interface NextTier extends TierRef {
  threshold: TierThreshold | null
  /** threshold.value − the member's current value, at least 0; null without a threshold. Unit: the path's (points, orders, minor units). */
  remaining: number | null
  /** `remaining` when the threshold is on a points fact (`$.points_*`), else null. */
  points_needed: number | null
}


function refOf(tier: TierDef): TierRef {
  return { code: tier.code, name: tier.name, rank: tier.rank }
}

/**
 * The highest-ranked tier whose conditions hold for `member`, or null when the rulebook has no tiers file.
 * Invariants: pure and synchronous (compiled conditions); never null with a tiers file (the base tier always
 * qualifies); the same rulebook and facts always give the same tier.
 */
export function evaluateTier(rulebook: WithTiers, member: MemberFacts): TierRef | null {
  if (rulebook.tiers === null) return null
  const facts = { member }
  const best = [...rulebook.tiers.tiers].reverse().find((t) => compiledPredicate(t.conditions)(facts)) ?? rulebook.tiers.tiers[0]
  return refOf(best)
}

/**
 * The tier ranked just above `current_code`, with how far `member` is from its threshold; null at the top or
 * without a tiers file. A null or unknown `current_code` (never evaluated, or a tier removed from the file) counts
 * as the base tier. When the next tier has no simple threshold, `threshold`, `remaining` and `points_needed` are null.
 * Invariant: remaining and points_needed are integers ≥ 0 (0 when the member already qualifies).
 */
export function nextTier(rulebook: WithTiers, current_code: string | null, member: MemberFacts): NextTier | null {
  if (rulebook.tiers === null) return null
  const tiers = rulebook.tiers.tiers
  const current = tiers.find((t) => t.code === current_code) ?? tiers[0]
  const next = tiers.find((t) => t.rank > current.rank)
  if (next === undefined) return null
  const remaining = next.threshold === null ? null : remainingTo(next.threshold, member)
  const points_needed = next.threshold !== null && next.threshold.path.startsWith("$.points_") ? remaining : null
  return { ...refOf(next), threshold: next.threshold, remaining, points_needed }
}

function remainingTo(threshold: TierThreshold, member: MemberFacts): number {
  const value = resolveFactPath(member, threshold.path)
  return typeof value === "number" ? Math.max(threshold.value - value, 0) : threshold.value
}

export type TierChange = "upgrade" | "downgrade" | "none"

export interface TierDecisionInput {
  /** The stored tier (resolved in the same rulebook), or null when the member has none yet. */
  current: TierRef | null
  /** What evaluateTier returned now. */
  qualified: TierRef
  policy: DowngradePolicy
  /** When the member was first seen below `current` (stored by the caller), or null. */
  below_since: Date | null
  now: Date
}

export interface TierDecision {
  /** The tier to store. */
  tier: TierRef
  /** Store this: set while the member is below their tier in a grace period, null otherwise. */
  below_since: Date | null
  change: TierChange
  reason: string
  /** When the grace period ends (the member is downgraded at the first evaluation at or after it), or null. */
  grace_ends_at: Date | null
}

/**
 * Whether a stored tier changes now. Upgrades (and a first tier) apply at once; requalifying for the current tier
 * clears `below_since`; a lower qualification downgrades never (policy "never") or once the member has been below
 * for at least `grace_days` days of 24 h (policy "grace"; 0 = at once), straight to the qualified tier.
 * Invariant: pure; `below_since` is non-null exactly when the result keeps a tier above the qualified one under grace.
 */
export function decideTierChange(input: TierDecisionInput): TierDecision {
  const { current, qualified } = input
  if (current === null) return { tier: qualified, below_since: null, change: "upgrade", reason: `first tier: ${qualified.code}`, grace_ends_at: null }
  if (qualified.rank > current.rank) return { tier: qualified, below_since: null, change: "upgrade", reason: `qualifies for ${qualified.code} (above ${current.code})`, grace_ends_at: null }
  if (qualified.rank === current.rank) return { tier: current, below_since: null, change: "none", reason: `still qualifies for ${current.code}`, grace_ends_at: null }
  return decideDowngrade(input, current)
}

function decideDowngrade({ qualified, policy, below_since, now }: TierDecisionInput, current: TierRef): TierDecision {
  if (policy.policy === "never") {
    return { tier: current, below_since: null, change: "none", reason: `qualifies only for ${qualified.code}; downgrade policy "never" keeps ${current.code}`, grace_ends_at: null }
  }
  const since = below_since ?? now
  const grace_ends_at = new Date(since.getTime() + policy.grace_days * DAY_MS)
  if (now.getTime() >= grace_ends_at.getTime()) {
    return { tier: qualified, below_since: null, change: "downgrade", reason: `below ${current.code} since ${since.toISOString()}: grace of ${policy.grace_days} days over`, grace_ends_at: null }
  }
  return { tier: current, below_since: since, change: "none", reason: `below ${current.code} since ${since.toISOString()}: keeps it until ${grace_ends_at.toISOString()}`, grace_ends_at }
}

/** Corrections take back the points a tier was earned with: that tier is not kept through a grace period. */
const CORRECTION_POLICY: DowngradePolicy = { policy: "grace", grace_days: 0 }

/** A member's tier re-evaluated: what to store and whether it is a change to record and announce. */
export interface TierRecompute {
  decision: TierDecision
  from: string | null
  to: string
  /** The stored tier or its below_since differ from the decision: write both. */
  store: boolean
  /** The tier itself changes: a history row and `loyalty.tier_changed`, with `reason`. */
  changed: boolean
  /** What triggered the evaluation, then what was decided (the history's reason). */
  reason: string
}

/**
 * Re-evaluates the stored tier of a member from their facts (both adapters, under the account's lock): the tier
 * they qualify for, then decideTierChange with the ladder's downgrade policy, or no grace at all when `correction`
 * (lifetime points went down). Null when the rulebook has no tier ladder (the account is left as it is).
 * Invariant: `store` is false exactly when tier and below_since would be written unchanged.
 */
export function recomputeTier(
  rulebook: WithTiers,
  account: { tier: string | null; tier_below_since: Date | null },
  facts: MemberFacts,
  o: { trigger: string; correction: boolean; now: Date }
): TierRecompute | null {
  if (!rulebook.tiers) return null
  const stored = rulebook.tiers.tiers.find((t) => t.code === account.tier)
  const decision = decideTierChange({
    current: stored ? { code: stored.code, name: stored.name, rank: stored.rank } : null,
    qualified: evaluateTier(rulebook, facts) as TierRef,
    policy: o.correction ? CORRECTION_POLICY : rulebook.tiers.downgrade,
    below_since: account.tier_below_since,
    now: o.now,
  })
  const to = decision.tier.code
  const changed = account.tier !== to
  const store = changed || +(account.tier_below_since ?? 0) !== +(decision.below_since ?? 0)
  return { decision, from: account.tier, to, store, changed, reason: `${o.trigger}: ${decision.reason}` }
}
