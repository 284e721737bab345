/**
 * Rule file issues: what is wrong, where (file, JSON pointer, line and column) and how to fix it. Validation
 * collects every issue of every file; nothing here throws.
 */
import type { z } from "zod"
import { jsonPointer, locatePointer, scanJson, type ScanResult } from "./json-source"
import { closestMatch } from "./text-distance"

export interface RuleFileIssue {
  /** File name as given to the compiler (e.g. "accrual.json"). */
  file: string
  /** RFC 6901 JSON pointer, e.g. "/rules/0/conditions/all/1/operator"; "" = the whole file. */
  pointer: string
  message: string
  hint?: string
  /** 1-based position of the pointer (or of the JSON syntax error) in the file, when known. */
  line?: number
  column?: number
}

/**
 * Zod's unrecognized_keys issue does not say which keys ARE allowed; strict objects built with
 * {@link unknownKeyError} put them in the message after this marker, and {@link zodIssuesToRuleIssues} turns that
 * into one issue per unknown key with a "did you mean" hint. The marker never reaches a user.
 */
const ALLOWED_KEYS_MARKER = "\u0000allowed-keys:"

/** Error customizer for `z.strictObject(shape, { error })` that records the allowed keys (see marker above). */
export function unknownKeyError(allowed: readonly string[]) {
  return (issue: { code?: string }): string | undefined =>
    issue.code === "unrecognized_keys" ? ALLOWED_KEYS_MARKER + JSON.stringify(allowed) : undefined
}

/** The allowed keys recorded by {@link unknownKeyError} in an issue message, or null for any other message. */
export function allowedKeysOf(message: string): string[] | null {
  return message.startsWith(ALLOWED_KEYS_MARKER) ? JSON.parse(message.slice(ALLOWED_KEYS_MARKER.length)) : null
}

/**
 * Converts zod issues of one file into rule file issues with pointers, human messages and positions.
 * Invariant: one output issue per unknown key; every other zod issue maps to exactly one output issue.
 */
export function zodIssuesToRuleIssues(file: string, text: string, issues: readonly z.core.$ZodIssue[]): RuleFileIssue[] {
  const scan = scanJson(text)
  const sizeReported = new Set<string>()
  const drafts = issues.flatMap((issue) => {
    // One bound per value is enough: 1e300 breaks both "safe integer" and "at most 1000"; report the first.
    if (issue.code === "too_big" || issue.code === "too_small") {
      const key = jsonPointer(issue.path as PropertyKey[])
      if (sizeReported.has(key)) return []
      sizeReported.add(key)
    }
    return convertIssue(issue)
  })
  return drafts.map((i) => withPosition({ file, ...i }, text, scan)).sort(byPosition)
}

/** Reading order: positioned issues by line and column, unpositioned last (stable otherwise). */
function byPosition(a: RuleFileIssue, b: RuleFileIssue): number {
  return (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0)
}

/** Adds line/column for the issue's pointer when the text can be scanned. */
export function withPosition(issue: RuleFileIssue, text: string, scan: ScanResult = scanJson(text)): RuleFileIssue {
  if (issue.line !== undefined) return issue
  const position = locatePointer(text, issue.pointer, scan)
  return position ? { ...issue, ...position } : issue
}

type Draft = Omit<RuleFileIssue, "file">

function convertIssue(issue: z.core.$ZodIssue): Draft[] {
  const path = issue.path as PropertyKey[]
  const pointer = jsonPointer(path)
  const label = labelOf(path)
  const input = (issue as { input?: unknown }).input
  switch (issue.code) {
    case "unrecognized_keys":
      return unknownKeys(path, issue.keys, issue.message)
    case "invalid_type":
      return [input === undefined
        ? { pointer, message: `${label} is missing`, hint: `add "${String(path[path.length - 1] ?? "")}": <${issue.expected}>` }
        : { pointer, message: `${label} must be ${article(issue.expected)}, got ${describeValue(input)}` }]
    case "too_big":
    case "too_small":
      return [{ pointer, message: `${label} ${sizeMessage(issue)}, got ${describeValue(input)}` }]
    case "invalid_value": {
      const allowed = issue.values.map((v) => JSON.stringify(v))
      const hint = typeof input === "string" ? closestMatch(input, issue.values.map(String)) : undefined
      return [{ pointer, message: `${label} must be ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(", ")}`}, got ${describeValue(input)}`, ...(hint ? { hint: `did you mean "${hint}"?` } : {}) }]
    }
    case "custom": {
      const hint = (issue.params as { hint?: unknown } | undefined)?.hint
      // Custom messages are written to stand alone (condition.ts, refinements).
      return [{ pointer, message: issue.message, ...(typeof hint === "string" ? { hint } : {}) }]
    }
    case "invalid_union": {
      // A discriminated union that matched no member: the message lists the valid values; hint the closest.
      const options = ((issue as { options?: unknown[] }).options ?? []).map(String)
      const given = path.length ? (input as Record<string, unknown> | undefined)?.[String(path[path.length - 1])] : undefined
      const match = typeof given === "string" ? closestMatch(given, options) : undefined
      return [{ pointer, message: issue.message, ...(match ? { hint: `did you mean "${match}"?` } : {}) }]
    }
    default:
      return [{ pointer, message: `${label}: ${issue.message}` }]
  }
}

function unknownKeys(path: PropertyKey[], keys: string[], message: string): Draft[] {
  const allowed = allowedKeysOf(message) ?? []
  return keys.map((key) => {
    const match = closestMatch(key, allowed)
    const where = path.length === 0 ? "at the top of the file" : `in ${labelOf(path)}`
    return {
      pointer: jsonPointer([...path, key]),
      message: `unknown key "${key}" ${where}`,
      hint: match ? `did you mean "${match}"?` : allowed.length ? `allowed keys: ${allowed.join(", ")}` : "remove it",
    }
  })
}

function sizeMessage(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const bound = issue.code === "too_big" ? issue.maximum : issue.minimum
  const inclusive = issue.inclusive !== false
  const cmp = issue.code === "too_big" ? (inclusive ? "at most" : "less than") : (inclusive ? "at least" : "greater than")
  if (issue.origin === "array") return `must have ${cmp} ${bound} entries`
  if (issue.origin === "string") return `must have ${cmp} ${bound} characters`
  if (issue.origin === "int" && Math.abs(Number(bound)) >= Number.MAX_SAFE_INTEGER) return "must be a safe integer (at most 9007199254740991)"
  return `must be ${cmp} ${bound}`
}

/** "rules[0].event.params.points" — the dotted form people read; the pointer carries the exact location. */
export function labelOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "the rule file"
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join("")
}

function article(type: string): string {
  return type === "int" ? "an integer" : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

/** A short, safe description of a value for messages (truncated; type named). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing"
  if (value === null) return "null"
  if (Array.isArray(value)) return `a list of ${value.length}`
  if (typeof value === "object") return "an object"
  const text = JSON.stringify(value) ?? String(value)
  const short = text.length > 40 ? `${text.slice(0, 37)}...` : text
  return typeof value === "string" ? `${short} (a string)` : short
}
