import fs from "fs"
import path from "path"
import { compileRulebook, Rulebook } from "../domain/rulebook"
import { RuleFileIssue } from "../domain/rule-issues"
import { LoyaltyError, LoyaltyErrorCodes } from "../domain/errors"

/** What the store knows about one rules directory: the live rulebook (last good) and the last load error. */
export interface RulebookState {
  rules_dir: string
  rulebook: Rulebook | null
  /** The texts the live rulebook was compiled from (`[]` while none is live). */
  sources: Array<{ name: string; text: string }>
  loaded_at: Date | null
  error: { at: Date; issues: RuleFileIssue[] } | null
}

// Medusa constructs plugin services per request scope; the compiled rulebook must outlive them, so it lives here,
// one state per directory.
const states = new Map<string, RulebookState>()

/** Reads the top-level `*.json` files of `dir` (sub-folders such as `tests/` and `schema/` are not rules). */
export function readRuleFiles(dir: string): Array<{ name: string; text: string }> {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(".json"))
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), "utf8") }))
}

/**
 * Loads and compiles `dir`. A failed load keeps the previous good rulebook live and records the error: a typo in
 * a rule file must never stop the store nor award points from a half-read rulebook.
 */
export function loadRules(dir: string, now: Date): RulebookState {
  const state = states.get(dir) ?? { rules_dir: dir, rulebook: null, sources: [], loaded_at: null, error: null }
  states.set(dir, state)
  let files: Array<{ name: string; text: string }>
  try {
    files = readRuleFiles(dir)
  } catch (e) {
    state.error = { at: now, issues: [{ file: dir, pointer: "", message: `cannot read rules directory: ${(e as Error).message}` }] }
    return state
  }
  const result = compileRulebook(files)
  if (result.ok) {
    state.rulebook = result.rulebook
    state.sources = files
    state.loaded_at = now
    state.error = null
  } else {
    state.error = { at: now, issues: result.issues }
  }
  return state
}

/** The state for `dir`, loading it on first use. */
export function rulesState(dir: string, now: Date): RulebookState {
  return states.get(dir) ?? loadRules(dir, now)
}

/** Formats issues one per line as `file  /pointer  message (hint)`. */
export function formatIssues(issues: RuleFileIssue[]): string {
  return issues
    .map((i) => {
      const where = i.line ? `${i.file}:${i.line}:${i.column ?? 1}` : i.file
      return `${where}  ${i.pointer || "/"}  ${i.message}${i.hint ? ` (${i.hint})` : ""}`
    })
    .join("\n")
}

/** The live rulebook, or a typed RULES_UNAVAILABLE error carrying the issues that keep it from loading. */
export function requireRulebook(state: RulebookState): Rulebook {
  if (state.rulebook) {
    return state.rulebook
  }
  const issues = state.error?.issues ?? []
  throw new LoyaltyError(
    LoyaltyErrorCodes.RULES_UNAVAILABLE,
    `No valid loyalty rulebook is loaded from ${state.rules_dir}:\n${formatIssues(issues)}`,
    { rules_dir: state.rules_dir, issues }
  )
}
