import fs from "fs"
import path from "path"
import { applyRulebookLoad, emptyRulebookState, formatIssues, requireRulebook, ruleFileNames, type RulebookState } from "../domain/rules/rulebook-state"

// The state machine (compile, keep the last good rulebook, format issues) is the core's (domain/rules/rulebook-state.ts),
// shared with the v2 adapter; this file only reads the directory.
export { formatIssues, requireRulebook, type RulebookState }

// Medusa constructs plugin services per request scope; the compiled rulebook must outlive them, so it lives here,
// one state per directory.
const states = new Map<string, RulebookState>()

/** Reads the top-level `*.json` files of `dir` (sub-folders such as `tests/` and `schema/` are not rules). */
export function readRuleFiles(dir: string): Array<{ name: string; text: string }> {
  return ruleFileNames(fs.readdirSync(dir, { withFileTypes: true })).map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), "utf8") }))
}

/**
 * Loads and compiles `dir`. A failed load keeps the previous good rulebook live and records the error: a typo in
 * a rule file must never stop the store nor award points from a half-read rulebook.
 */
export function loadRules(dir: string, now: Date): RulebookState {
  const state = states.get(dir) ?? emptyRulebookState(dir)
  states.set(dir, state)
  let files: Array<{ name: string; text: string }>
  try {
    files = readRuleFiles(dir)
  } catch (e) {
    return applyRulebookLoad(state, { unreadable: (e as Error).message }, now)
  }
  return applyRulebookLoad(state, { files }, now)
}

/** The state for `dir`, loading it on first use. */
export function rulesState(dir: string, now: Date): RulebookState {
  return states.get(dir) ?? loadRules(dir, now)
}
