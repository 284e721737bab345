/**
 * A rulebook: every rule file compiled together, validated, frozen and stamped with a content version.
 * Compilation is total: any input text yields either a rulebook or the complete list of issues, never an exception.
 */
import { Rule } from "json-rules-engine"
import type { ActionRuleDef } from "../program/action"
import { canonicalJson, sha256Hex } from "../shared/canonical-json"
import type { TopLevelCondition } from "./condition"
import { jsonPointer, lineColumn, locatePointer, scanJson } from "./json-source"
import { withPosition, zodIssuesToRuleIssues, type RuleFileIssue } from "./rule-issues"
import { DEFAULT_PROGRAM, type ProgramSettings } from "./program"
import { buildPromotionDef, type PromotionDef } from "../program/promotions"
import { conditionRoots, rulebookIssues, tiersFileOf, type ParsedFile, type RuleFileSource } from "./rulebook-checks"
import { defaultPromotionGroupName } from "./promotion-schema"
import { RuleFile, type AccrualEvent, type ProgramFile } from "./rule-schema"
import { buildTiersDef } from "./tier-ladder"
import { defaultTierGroupName } from "./tier-schema"
import type { TiersDef } from "../program/tiers"

export type { RuleFileIssue, ProgramSettings, RuleFileSource, TiersDef, PromotionDef, ActionRuleDef }

export interface AccrualRuleDef {
  readonly name: string
  /** Campaign window (ISO 8601 with offsets): the rule applies to orders placed inside it only. */
  readonly starts_at?: string
  readonly ends_at?: string
  readonly description?: string
  /** 1..1000; higher runs first and sorts first in results. */
  readonly priority: number
  readonly conditions: TopLevelCondition
  readonly event: AccrualEvent
  /** The file the rule came from. */
  readonly file: string
}

export interface Rulebook {
  /** sha256 hex of the canonical JSON of every file (keyed by file name, without "$schema"). */
  readonly version: string
  readonly files: readonly string[]
  readonly accrual: readonly AccrualRuleDef[]
  /** The program file's settings (defaults applied), or DEFAULT_PROGRAM when there is no program file. */
  readonly program: ProgramSettings
  /** The tier ladder of the (single) tiers file, or null without one: then no member has a tier. */
  readonly tiers: TiersDef | null
  /** Every promotion of every promotions file, in file then declaration order; empty without promotions files. */
  readonly promotions: readonly PromotionDef[]
  /** Every rule of every actions file (earning actions: signup, birthday, referral, custom); empty without one. */
  readonly actions: readonly ActionRuleDef[]
}

export type CompileResult = { ok: true; rulebook: Rulebook } | { ok: false; issues: RuleFileIssue[] }

/**
 * Compiles rule files into a frozen rulebook, or returns EVERY issue of every file (syntax, schema, facts,
 * operators, duplicate names and codes, the tier ladder, unknown tiers, missing accrual rules).
 * Invariant: never throws; the same files (whatever their whitespace or key order) give the same version.
 */
export function compileRulebook(files: ReadonlyArray<RuleFileSource>): CompileResult {
  try {
    return compile(files)
  } catch (e) {
    return { ok: false, issues: [{ file: "", pointer: "", message: `internal error while compiling the rules: ${(e as Error)?.message ?? String(e)}` }] }
  }
}

function compile(files: ReadonlyArray<RuleFileSource>): CompileResult {
  const issues: RuleFileIssue[] = []
  const parsed: ParsedFile[] = []
  const seenFiles = new Set<string>()
  for (const source of files) {
    if (seenFiles.has(source.name)) {
      issues.push({ file: source.name, pointer: "", message: `the file "${source.name}" is given twice` })
      continue
    }
    seenFiles.add(source.name)
    const result = parseFile(source)
    if ("issues" in result) issues.push(...result.issues)
    else parsed.push(result)
  }
  issues.push(...rulebookIssues(parsed))
  // A file we cannot read might be the accrual file: then its own syntax issue says enough.
  const kinds = files.map((f) => declaredKind(f.text))
  if (!kinds.includes("accrual") && !kinds.includes(UNREADABLE)) {
    issues.push({ file: "", pointer: "", message: "no accrual rules: at least one rule file must have \"kind\": \"accrual\"", hint: "see rules/accrual.json in the package for the default program" })
  }
  if (issues.length > 0) return { ok: false, issues }
  return { ok: true, rulebook: buildRulebook(parsed) }
}

function parseFile(source: RuleFileSource): ParsedFile | { issues: RuleFileIssue[] } {
  let json: unknown
  try {
    json = JSON.parse(source.text)
  } catch (e) {
    return { issues: [syntaxIssue(source, (e as Error).message)] }
  }
  const tooDeep = nestingIssue(source, json)
  if (tooDeep) return { issues: [tooDeep] }
  const result = RuleFile.safeParse(json, { reportInput: true })
  if (!result.success) return { issues: zodIssuesToRuleIssues(source.name, source.text, result.error.issues) }
  const engineIssues = engineRejections(source, result.data)
  return engineIssues.length ? { issues: engineIssues } : { source, data: result.data }
}

/** Deepest nesting of arrays and objects a rule file may have (conditions allow 16 levels; the file's own structure adds a few). */
const MAX_NESTING = 64

/**
 * Refuses absurd nesting before validation (the validators recurse: 10,000 levels would overflow the stack).
 * Iterative; points at the first value nested deeper than MAX_NESTING.
 */
function nestingIssue(source: RuleFileSource, json: unknown): RuleFileIssue | undefined {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value: json, path: [] }]
  while (stack.length) {
    const { value, path } = stack.pop()!
    if (typeof value !== "object" || value === null) continue
    if (path.length > MAX_NESTING) {
      const pointer = jsonPointer(path)
      const scan = scanJson(source.text)
      const position = scan.ok ? locatePointer(source.text, pointer, scan) : lineColumn(source.text, scan.offset)
      return { file: source.name, pointer, message: `nesting deeper than ${MAX_NESTING} levels`, hint: "conditions allow at most 16 levels of groups", ...(position ?? {}) }
    }
    for (const [key, child] of Object.entries(value)) stack.push({ value: child, path: [...path, Array.isArray(value) ? Number(key) : key] })
  }
  return undefined
}

/** A JSON syntax error, positioned by our scanner (JSON.parse's message varies across Node versions). */
function syntaxIssue(source: RuleFileSource, parseMessage: string): RuleFileIssue {
  const scan = scanJson(source.text)
  if (!scan.ok) {
    return { file: source.name, pointer: "", message: `invalid JSON: ${scan.message}`, ...(scan.hint ? { hint: scan.hint } : {}), ...lineColumn(source.text, scan.offset) }
  }
  const offset = /position (\d+)/.exec(parseMessage)?.[1]
  return { file: source.name, pointer: "", message: `invalid JSON: ${parseMessage}`, ...(offset ? lineColumn(source.text, Number(offset)) : {}) }
}

const UNREADABLE = Symbol("unreadable")

/** The `kind` a file declares (UNREADABLE for broken JSON); used only to tell "no accrual file" from "broken file". */
function declaredKind(text: string): unknown {
  try {
    const json = JSON.parse(text) as unknown
    return typeof json === "object" && json !== null && Object.prototype.hasOwnProperty.call(json, "kind") ? (json as { kind: unknown }).kind : undefined
  } catch {
    return UNREADABLE
  }
}

/** Belt and braces: json-rules-engine must accept every condition our schema accepted, in every kind of file. */
function engineRejections(source: RuleFileSource, data: RuleFile): RuleFileIssue[] {
  const issues: RuleFileIssue[] = []
  for (const { pointer, conditions } of conditionRoots(data)) {
    try {
      new Rule({ conditions: conditions as TopLevelCondition, event: { type: "check" } })
    } catch (e) {
      issues.push(withPosition({ file: source.name, pointer, message: `json-rules-engine rejects the conditions: ${(e as Error).message}` }, source.text))
    }
  }
  return issues
}

function buildRulebook(parsed: ParsedFile[]): Rulebook {
  const content: Record<string, unknown> = {}
  for (const { source, data } of parsed) {
    // "$schema" is editor tooling, not program content; everything else (descriptions too) versions the program.
    const { $schema: _schema, ...rest } = withDerivedDefaults(data)
    Object.defineProperty(content, source.name, { value: rest, enumerable: true, writable: true, configurable: true })
  }
  const tiersFile = tiersFileOf(parsed)
  const accrual = parsed.flatMap(({ source, data }) =>
    data.kind === "accrual" ? data.rules.map((rule): AccrualRuleDef => ({ ...rule, file: source.name })) : [])
  return deepFreeze({
    // The program file is hashed like any file, with its defaults applied (so spelling a default out keeps the
    // version). Without a program file the settings are DEFAULT_PROGRAM, fixed by the code: nothing to hash, and
    // rulebooks without one keep the versions they had before program files existed.
    version: sha256Hex(canonicalJson(content)),
    files: parsed.map((p) => p.source.name),
    accrual,
    program: programSettings(parsed),
    tiers: tiersFile === undefined ? null : buildTiersDef(tiersFile.source.name, tiersFile.data),
    promotions: parsed.flatMap(({ source, data }) => (data.kind === "promotions" ? data.promotions.map((p) => buildPromotionDef(source.name, p)) : [])),
    actions: parsed.flatMap(({ source, data }) => (data.kind === "actions" ? data.rules.map((rule): ActionRuleDef => ({ ...rule, file: source.name })) : [])),
  })
}

/**
 * The file as versioned: customer groups derived from a name or code are written out, so spelling the default out
 * keeps the version (like every other default); a program file leaves out later settings at their default.
 * Accrual files are hashed as parsed.
 */
function withDerivedDefaults(data: RuleFile): RuleFile {
  if (data.kind === "program") return withoutLaterDefaults(data)
  if (data.kind === "tiers") return { ...data, tiers: data.tiers.map((t) => ({ ...t, customer_group: t.customer_group ?? defaultTierGroupName(t.name) })) }
  if (data.kind === "promotions") return { ...data, promotions: data.promotions.map((p) => ({ ...p, customer_group: p.customer_group ?? defaultPromotionGroupName(p.code) })) }
  return data
}

/**
 * Settings added after program files existed are hashed only when they differ from their default, so a program
 * file written before them keeps its version (and spelling the default out still changes nothing).
 */
function withoutLaterDefaults(data: ProgramFile): RuleFile {
  const later: Record<string, unknown> = { ...data }
  if (data.spendable_on === DEFAULT_PROGRAM.spendable_on) delete later.spendable_on
  if (data.timezone === DEFAULT_PROGRAM.timezone) delete later.timezone
  if (data.expiry_reminder_days === DEFAULT_PROGRAM.expiry_reminder_days) delete later.expiry_reminder_days
  if (data.referral.attach_within_days === DEFAULT_PROGRAM.referral.attach_within_days) delete later.referral
  if (data.redemption.max_cart_share_bps === DEFAULT_PROGRAM.redemption.max_cart_share_bps) {
    const { max_cart_share_bps: _default, ...redemption } = data.redemption
    later.redemption = redemption
  }
  return later as RuleFile
}

/** The settings of the (single) program file, or a copy of the defaults. */
function programSettings(parsed: ParsedFile[]): ProgramSettings {
  const file = parsed.find((p): p is { source: RuleFileSource; data: ProgramFile } => p.data.kind === "program")?.data
  if (file === undefined) return structuredClone(DEFAULT_PROGRAM)
  const { negative_balance, redemption, expiry, pending_days, spendable_on, timezone, expiry_reminder_days, referral } = file
  return { negative_balance, redemption: { ...redemption }, expiry: expiry === null ? null : { ...expiry }, pending_days, spendable_on, timezone, expiry_reminder_days, referral: { ...referral } }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}
