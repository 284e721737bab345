/**
 * The live-rulebook state of one rules directory, without the file system: both adapters read the files
 * (v1: src/utils/rulebook-store.ts, v2: v2/src/lib/rules.ts) and hand them here. A failed load keeps the previous
 * good rulebook live and records the error: a typo in a rule file must never stop the store nor award points from
 * a half-read rulebook.
 */
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"
import { compileRulebook, type Rulebook } from "./rulebook"
import type { RuleFileIssue } from "./rule-issues"

/** What the store knows about one rules directory: the live rulebook (last good) and the last load error. */
export interface RulebookState {
  rules_dir: string
  rulebook: Rulebook | null
  /** The texts the live rulebook was compiled from (`[]` while none is live). */
  sources: Array<{ name: string; text: string }>
  loaded_at: Date | null
  error: { at: Date; issues: RuleFileIssue[] } | null
}

export function emptyRulebookState(rules_dir: string): RulebookState {
  return { rules_dir, rulebook: null, sources: [], loaded_at: null, error: null }
}

/**
 * Applies one load attempt to `state` (mutated and returned): the files read, or the reason they could not be read.
 * Compiles the files; on success they become live, on failure the previous rulebook stays live and the issues are kept.
 */
export function applyRulebookLoad(
  state: RulebookState,
  read: { files: Array<{ name: string; text: string }> } | { unreadable: string },
  now: Date
): RulebookState {
  if ("unreadable" in read) {
    state.error = { at: now, issues: [{ file: state.rules_dir, pointer: "", message: `cannot read rules directory: ${read.unreadable}` }] }
    return state
  }
  const result = compileRulebook(read.files)
  if (result.ok) {
    state.rulebook = result.rulebook
    state.sources = read.files
    state.loaded_at = now
    state.error = null
  } else {
    state.error = { at: now, issues: result.issues }
  }
  return state
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

/**
 * Which entries of a rules directory are rule files: the top-level `*.json` files, in name order (sub-folders such
 * as `tests/` and `schema/` are not rules). The adapters list the directory and read the files; this decides which.
 */
export function ruleFileNames(entries: ReadonlyArray<{ name: string; isFile(): boolean }>): string[] {
  return entries.filter((d) => d.isFile() && d.name.endsWith(".json")).map((d) => d.name).sort()
}
