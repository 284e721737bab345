/**
 * json-rules-engine as the reference semantics of rule conditions. The store evaluates compiled predicates
 * (compiled-condition.ts); this runs the same rules through a fresh json-rules-engine Engine, for the differential
 * test and the benchmark that prove the two agree.
 */
import type { TopLevelCondition } from "./condition"
import type { FactMap } from "./compiled-condition"
import { newRuleEngine } from "./rule-engine"

export interface ReferenceRule {
  name: string
  priority?: number
  conditions: TopLevelCondition
}

/**
 * Names of the rules whose conditions hold for `facts`, evaluated by a fresh json-rules-engine Engine.
 * Invariant: one Engine per call, never shared (json-rules-engine's Engine is not re-entrant).
 */
export async function referenceFiredNames(rules: readonly ReferenceRule[], facts: FactMap): Promise<Set<string>> {
  const engine = newRuleEngine()
  for (const rule of rules) {
    engine.addRule({ name: rule.name, priority: rule.priority ?? 1, conditions: rule.conditions as never, event: { type: "fired" } })
  }
  for (const [name, value] of Object.entries(facts)) engine.addFact(name, value)
  const { results } = await engine.run()
  return new Set(results.map((r) => r.name as string))
}
