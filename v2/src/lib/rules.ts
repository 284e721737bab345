import fs from "fs"
import path from "path"
import { applyRulebookLoad, emptyRulebookState, requireRulebook, ruleFileNames, type RulebookState } from "../core/domain/rules/rulebook-state"
import type { Rulebook } from "../core/domain/rules/rulebook"

const PACKAGE_NAME = "medusa-plugin-loyalty-rules-v2"

/**
 * The package's own rules/ (the default program, a build-time copy of the repository's rules/). Found by walking up
 * to this package's package.json: the code runs from src/ in tests and from .medusa/server/src/ once built.
 */
export function defaultRulesDir(): string {
  let dir = __dirname
  for (;;) {
    const manifest = path.join(dir, "package.json")
    if (fs.existsSync(manifest)) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, "utf8")).name === PACKAGE_NAME) return path.join(dir, "rules")
      } catch {
        /* not ours */
      }
    }
    const parent = path.dirname(dir)
    if (parent === dir) return path.resolve(__dirname, "../../rules")
    dir = parent
  }
}

// Module services are built once per app, routes and workflows resolve them per request; the compiled rulebook
// lives here, one state per directory (the core's applyRulebookLoad: core/domain/rules/rulebook-state.ts).
const states = new Map<string, RulebookState>()

/** Top-level `*.json` files of `dir`, sorted by name (sub-folders such as tests/ and schema/ are not rules). */
export function readRuleFiles(dir: string): Array<{ name: string; text: string }> {
  return ruleFileNames(fs.readdirSync(dir, { withFileTypes: true })).map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), "utf8") }))
}

export function reloadRules(dir: string): RulebookState {
  const state = states.get(dir) ?? emptyRulebookState(dir)
  states.set(dir, state)
  try {
    return applyRulebookLoad(state, { files: readRuleFiles(dir) }, new Date())
  } catch (e) {
    return applyRulebookLoad(state, { unreadable: (e as Error).message }, new Date())
  }
}

export function rulesState(dir: string): RulebookState {
  return states.get(dir) ?? reloadRules(dir)
}

export function liveRulebook(dir: string): Rulebook {
  return requireRulebook(rulesState(dir))
}
