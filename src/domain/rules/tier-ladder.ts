/**
 * The tier ladder as a whole: which tier is the base, each tier's simple threshold, and the checks that keep
 * every tier reachable. A member gets the highest-ranked tier whose conditions hold, so a tier is unreachable
 * when a higher-ranked one qualifies whenever it does (always-true, or a threshold on the same fact not above it).
 */
import type { ConditionLeaf, ConditionNode, TopLevelCondition } from "./condition"
import { checkFactPath } from "./fact-catalogue"
import type { RuleFileIssue } from "./rule-issues"
import { defaultTierGroupName, type TiersFile } from "./tier-schema"
import type { TierDef, TierThreshold, TiersDef } from "../program/tiers"

type Draft = Omit<RuleFileIssue, "file">

/** True for `{ "all": [] }` (name and priority allowed): the conditions of a tier every member has. */
export function isAlwaysTrue(conditions: TopLevelCondition): boolean {
  return "all" in conditions && conditions.all.length === 0
}

/**
 * The threshold of a tier whose conditions are one `greaterThanInclusive` / `greaterThan` on a numeric member
 * path (`{ "all": [leaf] }` or `{ "any": [leaf] }`), else null. `value` is the smallest whole number that
 * qualifies: member numbers are integers, so `greaterThan 999` and `greaterThanInclusive 1000` are both 1000.
 * Invariant: a member qualifies for such a tier iff the fact at `path` is ≥ `value`.
 */
export function tierThreshold(conditions: TopLevelCondition): TierThreshold | null {
  const leaf = singleLeaf(conditions)
  if (leaf === undefined || leaf.fact !== "member" || typeof leaf.value !== "number" || leaf.path === undefined) return null
  if (leaf.operator !== "greaterThanInclusive" && leaf.operator !== "greaterThan") return null
  const checked = checkFactPath("member", leaf.path)
  if (!checked.ok || checked.value.kind !== "scalar" || checked.value.type !== "number" || checked.value.nullable) return null
  const value = leaf.operator === "greaterThan" ? Math.floor(leaf.value) + 1 : Math.ceil(leaf.value)
  return { path: leaf.path, value }
}

/** The one leaf of `{ all: [leaf] }` / `{ any: [leaf] }`, else undefined. */
function singleLeaf(conditions: TopLevelCondition): ConditionLeaf | undefined {
  const children: ConditionNode[] | undefined = "all" in conditions ? conditions.all : "any" in conditions ? conditions.any : undefined
  if (children === undefined || children.length !== 1 || !("fact" in children[0])) return undefined
  return children[0]
}

/** JSON pointer of the compared value of a single-leaf tier (where a threshold problem is reported). */
function thresholdPointer(index: number, conditions: TopLevelCondition): string {
  return `/tiers/${index}/conditions/${"all" in conditions ? "all" : "any"}/0/value`
}

/**
 * Every ladder problem of a parsed tiers file, pointers relative to the file: duplicate codes and ranks, a base
 * tier that does not admit everyone, always-true tiers above the base, thresholds that do not increase with rank.
 * Invariant: reports each problem once, at the later (or higher-ranked) tier.
 */
export function ladderIssues(file: TiersFile): Draft[] {
  return [...duplicateTierKeys(file, "code"), ...duplicateTierKeys(file, "rank"), ...baseTierIssues(file), ...thresholdIssues(file)]
}

function duplicateTierKeys(file: TiersFile, key: "code" | "rank"): Draft[] {
  const first = new Map<string | number, number>()
  const issues: Draft[] = []
  file.tiers.forEach((tier, index) => {
    const previous = first.get(tier[key])
    if (previous === undefined) return void first.set(tier[key], index)
    issues.push(key === "code"
      ? { pointer: `/tiers/${index}/code`, message: `duplicate tier code "${tier.code}" (already used by tiers[${previous}])`, hint: "tier codes are unique: rename one" }
      : { pointer: `/tiers/${index}/rank`, message: `duplicate rank ${tier.rank}: tiers[${previous}] "${file.tiers[previous].code}" has it too`, hint: "ranks decide which tier wins: give each tier its own rank" })
  })
  return issues
}

/** Tier indexes by rank ascending (file order breaks ties, so the result is deterministic). */
function byRank(file: TiersFile): number[] {
  return file.tiers.map((_, i) => i).sort((a, b) => file.tiers[a].rank - file.tiers[b].rank || a - b)
}

/** The lowest tier must admit everyone (so evaluation always yields a tier); no other tier may. */
function baseTierIssues(file: TiersFile): Draft[] {
  const [base, ...above] = byRank(file)
  const issues: Draft[] = []
  const lowest = file.tiers[base]
  if (!isAlwaysTrue(lowest.conditions)) {
    issues.push({ pointer: `/tiers/${base}/conditions`, message: `the lowest tier "${lowest.code}" (rank ${lowest.rank}) must admit every member: its conditions must be { "all": [] }`, hint: "empty its conditions, or add a base tier with { \"all\": [] } and a lower rank" })
  }
  for (const index of above) {
    const tier = file.tiers[index]
    if (!isAlwaysTrue(tier.conditions)) continue
    issues.push({ pointer: `/tiers/${index}/conditions`, message: `tier "${tier.code}" (rank ${tier.rank}) admits every member, so every lower tier is unreachable`, hint: "only the lowest tier has { \"all\": [] }; give this one a condition, e.g. a points_lifetime threshold" })
  }
  return issues
}

/** On each path, simple thresholds must strictly increase with rank; a running maximum catches every overlap. */
function thresholdIssues(file: TiersFile): Draft[] {
  const highest = new Map<string, { index: number; value: number }>()
  const issues: Draft[] = []
  for (const index of byRank(file)) {
    const tier = file.tiers[index]
    const threshold = tierThreshold(tier.conditions)
    if (threshold === null) continue
    const below = highest.get(threshold.path)
    if (below !== undefined && threshold.value <= below.value) {
      issues.push(overlapIssue(file, index, threshold, below))
      continue
    }
    highest.set(threshold.path, { index, value: threshold.value })
  }
  return issues
}

function overlapIssue(file: TiersFile, index: number, threshold: TierThreshold, below: { index: number; value: number }): Draft {
  const tier = file.tiers[index]
  const lower = file.tiers[below.index]
  const relation = threshold.value === below.value ? "the same threshold as" : "a lower threshold than"
  return {
    pointer: thresholdPointer(index, tier.conditions),
    message: `tier "${tier.code}" (rank ${tier.rank}) starts at ${threshold.path} ≥ ${threshold.value}, ${relation} tier "${lower.code}" (rank ${lower.rank}, ≥ ${below.value}): "${lower.code}" is unreachable because the higher-ranked tier always wins`,
    hint: `thresholds must increase with rank: set "${tier.code}" above ${below.value}, or swap the ranks`,
  }
}

/**
 * The compiled ladder of a valid tiers file: tiers by rank ascending, customer groups defaulted, thresholds derived.
 * Invariant: `tiers[0]` is the base tier (always qualifies); ranks strictly increase.
 */
export function buildTiersDef(file_name: string, data: TiersFile): TiersDef {
  const tiers = byRank(data).map((index): TierDef => {
    const { code, name, description, rank, customer_group, conditions } = data.tiers[index]
    return { code, name, ...(description === undefined ? {} : { description }), rank, customer_group: customer_group ?? defaultTierGroupName(name), conditions, threshold: tierThreshold(conditions) }
  })
  return { file: file_name, downgrade: data.downgrade, tiers }
}
