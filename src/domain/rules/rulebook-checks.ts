/**
 * Checks that need more than one entry or file, run on files that parsed: unique rule names, promotion codes and
 * customer groups, single program and tiers files, a sound tier ladder, and tier codes that exist. Each returns
 * located issues and never throws.
 */
import type { ConditionNode } from "./condition"
import type { RuleFileIssue } from "./rule-issues"
import { withPosition } from "./rule-issues"
import type { RuleFile } from "./rule-schema"
import { defaultPromotionGroupName } from "./promotion-schema"
import { closestMatch } from "./text-distance"
import { ladderIssues } from "./tier-ladder"
import { defaultTierGroupName, type TiersFile } from "./tier-schema"

export interface RuleFileSource {
  name: string
  text: string
}

export type ParsedFile = { source: RuleFileSource; data: RuleFile }

type Located = { source: RuleFileSource; pointer: string; message: string; hint?: string }

function located({ source, ...issue }: Located): RuleFileIssue {
  return withPosition({ file: source.name, ...issue }, source.text)
}

/** Every cross-entry issue of the parsed files, in a stable order (by check, then file order). */
export function rulebookIssues(parsed: ParsedFile[]): RuleFileIssue[] {
  return [
    ...duplicateRuleNames(parsed),
    ...extraSingletonFiles(parsed, "program"),
    ...extraSingletonFiles(parsed, "tiers"),
    ...tierLadderIssues(parsed),
    ...duplicatePromotionCodes(parsed),
    ...duplicateCustomerGroups(parsed),
    ...unknownTierReferences(parsed),
  ]
}

/** Rule names are unique across the whole rulebook (they are stored on ledger entries): report every repeat. */
function duplicateRuleNames(parsed: ParsedFile[]): RuleFileIssue[] {
  const first = new Map<string, string>()
  const issues: RuleFileIssue[] = []
  for (const { source, data } of parsed) {
    if (data.kind !== "accrual" && data.kind !== "actions") continue
    data.rules.forEach((rule, index) => {
      const previous = first.get(rule.name)
      if (previous === undefined) return void first.set(rule.name, source.name)
      issues.push(located({ source, pointer: `/rules/${index}/name`, message: `duplicate rule name "${rule.name}" (already used in ${previous})`, hint: "rule names are unique across all rule files: rename one" }))
    })
  }
  return issues
}

const SINGLETON_WORDING = {
  program: { what: "the program settings are", hint: "keep one \"kind\": \"program\" file: merge the settings into it and delete this one" },
  tiers: { what: "the tier ladder is", hint: "keep one \"kind\": \"tiers\" file: merge the tiers into it and delete this one" },
} as const

/**
 * Settings and the tier ladder must have one source of truth: a second such file is reported at its "kind" (the
 * first one is named in the message so the marketer knows where to merge).
 */
function extraSingletonFiles(parsed: ParsedFile[], kind: keyof typeof SINGLETON_WORDING): RuleFileIssue[] {
  const files = parsed.filter((p) => p.data.kind === kind)
  const { what, hint } = SINGLETON_WORDING[kind]
  return files.slice(1).map(({ source }) => located({ source, pointer: "/kind", message: `a second ${kind} file: ${what} already in ${files[0].source.name}`, hint }))
}

/** The one tiers file that counts (the first), or undefined. */
export function tiersFileOf(parsed: ParsedFile[]): { source: RuleFileSource; data: TiersFile } | undefined {
  return parsed.find((p): p is { source: RuleFileSource; data: TiersFile } => p.data.kind === "tiers")
}

function tierLadderIssues(parsed: ParsedFile[]): RuleFileIssue[] {
  return parsed.flatMap(({ source, data }) => (data.kind === "tiers" ? ladderIssues(data).map((d) => located({ source, ...d })) : []))
}

/** Promotion codes become Medusa discount codes, which are unique store-wide. */
function duplicatePromotionCodes(parsed: ParsedFile[]): RuleFileIssue[] {
  const first = new Map<string, string>()
  const issues: RuleFileIssue[] = []
  for (const { source, data } of parsed) {
    if (data.kind !== "promotions") continue
    data.promotions.forEach((promotion, index) => {
      const previous = first.get(promotion.code)
      if (previous === undefined) return void first.set(promotion.code, source.name)
      issues.push(located({ source, pointer: `/promotions/${index}/code`, message: `duplicate promotion code "${promotion.code}" (already used in ${previous})`, hint: "promotion codes are Medusa discount codes, unique across all rule files: rename one" }))
    })
  }
  return issues
}

type GroupOwner = { source: RuleFileSource; pointer: string; group: string; owner: string }

/** Each tier and promotion owns its customer group: two owners would fight over its members on every sync. */
function duplicateCustomerGroups(parsed: ParsedFile[]): RuleFileIssue[] {
  const first = new Map<string, GroupOwner>()
  const issues: RuleFileIssue[] = []
  for (const entry of groupOwners(parsed)) {
    const previous = first.get(entry.group)
    if (previous === undefined) {
      first.set(entry.group, entry)
      continue
    }
    issues.push(located({ source: entry.source, pointer: entry.pointer, message: `customer group "${entry.group}" is already used by ${previous.owner} (${previous.source.name})`, hint: "each tier and promotion keeps its own customer group: set another \"customer_group\"" }))
  }
  return issues
}

/** Who owns which group, pointing at the explicit customer_group or at what the default is derived from. */
function groupOwners(parsed: ParsedFile[]): GroupOwner[] {
  const tiers = tiersFileOf(parsed)
  const owners: GroupOwner[] = (tiers?.data.tiers ?? []).map((tier, index) => ({
    source: tiers!.source,
    pointer: `/tiers/${index}/${tier.customer_group === undefined ? "name" : "customer_group"}`,
    group: tier.customer_group ?? defaultTierGroupName(tier.name),
    owner: `tier "${tier.code}"`,
  }))
  for (const { source, data } of parsed) {
    if (data.kind !== "promotions") continue
    data.promotions.forEach((promotion, index) => owners.push({
      source,
      pointer: `/promotions/${index}/${promotion.customer_group === undefined ? "code" : "customer_group"}`,
      group: promotion.customer_group ?? defaultPromotionGroupName(promotion.code),
      owner: `promotion "${promotion.code}"`,
    }))
  }
  return owners
}

/** Operators whose values name tiers when the path is `$.tier`. */
const TIER_VALUE_OPERATORS = new Set(["equal", "notEqual", "in", "notIn"])

/**
 * With a tiers file, every tier code a condition compares `$.tier` with (customer in accrual rules, member in tiers
 * and promotions) must exist: a typo such as "gld" would silently never match.
 */
function unknownTierReferences(parsed: ParsedFile[]): RuleFileIssue[] {
  const tiers = tiersFileOf(parsed)
  if (tiers === undefined) return []
  const codes = tiers.data.tiers.map((t) => t.code)
  const issues: RuleFileIssue[] = []
  for (const { source, data } of parsed) {
    for (const { pointer, conditions } of conditionRoots(data)) {
      for (const ref of tierValues(conditions, pointer)) {
        if (codes.includes(ref.code)) continue
        const match = closestMatch(ref.code, codes)
        issues.push(located({ source, pointer: ref.pointer, message: `unknown tier '${ref.code}'${match ? `, did you mean '${match}'?` : ""}`, hint: `tiers (${tiers.source.name}): ${codes.join(", ")}` }))
      }
    }
  }
  return issues
}

/** The top-level conditions of every entry of a file (none for program files), with their JSON pointers. */
export function conditionRoots(data: RuleFile): Array<{ pointer: string; conditions: ConditionNode }> {
  if (data.kind === "accrual" || data.kind === "actions") return data.rules.map((r, i) => ({ pointer: `/rules/${i}/conditions`, conditions: r.conditions }))
  if (data.kind === "tiers") return data.tiers.map((t, i) => ({ pointer: `/tiers/${i}/conditions`, conditions: t.conditions }))
  if (data.kind === "promotions") return data.promotions.map((p, i) => ({ pointer: `/promotions/${i}/conditions`, conditions: p.conditions }))
  return []
}

/** Every string a `$.tier` leaf compares with, with the pointer of that value (list entries point at themselves). */
function tierValues(node: ConditionNode, pointer: string): Array<{ code: string; pointer: string }> {
  if ("all" in node) return node.all.flatMap((child, i) => tierValues(child, `${pointer}/all/${i}`))
  if ("any" in node) return node.any.flatMap((child, i) => tierValues(child, `${pointer}/any/${i}`))
  if ("not" in node) return tierValues(node.not, `${pointer}/not`)
  if (node.path !== "$.tier" || !TIER_VALUE_OPERATORS.has(node.operator)) return []
  if (Array.isArray(node.value)) {
    return node.value.flatMap((v, i) => (typeof v === "string" ? [{ code: v, pointer: `${pointer}/value/${i}` }] : []))
  }
  return typeof node.value === "string" ? [{ code: node.value, pointer: `${pointer}/value` }] : []
}
