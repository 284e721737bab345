/**
 * The one way to build a json-rules-engine Engine. json-rules-engine's Engine is not re-entrant (a shared status
 * flag, issue #360) and `addRule` mutates the Rule it is given, so callers build a fresh Engine — and fresh Rules
 * from the frozen JSON — for every evaluation.
 */
import { Engine } from "json-rules-engine"
import { resolveFactPath } from "./fact-catalogue"

/**
 * A new Engine that refuses undefined facts (a typo'd fact must fail loudly, not evaluate as false) and resolves
 * condition paths with the fact catalogue's resolver (flat lists for `[*]`).
 */
export function newRuleEngine(): Engine {
  return new Engine([], { allowUndefinedFacts: false, pathResolver: resolveFactPath })
}
