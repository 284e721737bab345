/**
 * JSON Schema of rule files for editors ("$schema": "./schema/<kind>.schema.json"), generated from the zod schemas
 * so the two cannot drift (a unit test compares every committed file with this output). Editors get structure and
 * completion; the compiler remains the authority (facts, paths, operator/value types, cross-entry checks).
 */
import { z } from "zod"
import { OPERATORS } from "./condition"
import { ACCRUAL_FACT_NAMES, ACTION_FACT_NAMES, knownPaths, MEMBER_FACT_NAMES, type FactName } from "./fact-catalogue"
import { AccrualFile, ActionsFile, ProgramFile, PromotionsFile, TiersFile, type RuleFileKind } from "./rule-schema"

const primitive = { type: ["string", "number", "boolean", "null"] }

/**
 * json-rules-engine's condition grammar over `facts`, recursive through $defs (zod's custom condition check has no
 * JSON form). Each kind lists only its own facts, so editors never offer a fact the compiler would refuse.
 */
function conditionDefs(facts: readonly FactName[]): Record<string, unknown> {
  return {
    condition: { anyOf: [{ $ref: "#/$defs/group" }, { $ref: "#/$defs/leaf" }] },
    group: {
      anyOf: ["all", "any", "not"].map((key) => ({
        type: "object",
        properties: {
          [key]: key === "not" ? { $ref: "#/$defs/condition" } : { type: "array", items: { $ref: "#/$defs/condition" } },
          name: { type: "string" },
          priority: { type: "integer", minimum: 1, maximum: 1000 },
        },
        required: [key],
        additionalProperties: false,
      })),
    },
    leaf: {
      type: "object",
      properties: {
        fact: { enum: [...facts] },
        path: { type: "string", examples: facts.flatMap((f) => knownPaths(f)) },
        operator: { enum: [...OPERATORS] },
        value: { anyOf: [primitive, { type: "array", items: primitive }] },
        name: { type: "string" },
        priority: { type: "integer", minimum: 1, maximum: 1000 },
      },
      required: ["fact", "path", "operator", "value"],
      additionalProperties: false,
    },
  }
}

/** A file schema whose conditions (zod custom types) become references to the condition grammar over `facts`. */
function withConditions(schema: z.ZodType, title: string, facts: readonly FactName[]): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: (ctx) => {
      if ((ctx.zodSchema as { _zod: { def: { type: string } } })._zod.def.type === "custom") {
        Object.assign(ctx.jsonSchema, { $ref: "#/$defs/group" })
      }
    },
  }) as Record<string, unknown>
  return { ...json, title, $defs: { ...((json.$defs as object) ?? {}), ...conditionDefs(facts) } }
}

/** The JSON Schema (draft 2020-12) of an accrual rule file. Invariant: pure; same output for the same code. */
export function accrualFileJsonSchema(): Record<string, unknown> {
  return withConditions(AccrualFile, "Loyalty accrual rule file", ACCRUAL_FACT_NAMES)
}

/**
 * The JSON Schema (draft 2020-12) of a program settings file. Invariant: pure; same output for the same code.
 * The cross-field check (min_points a multiple of step_points) has no JSON Schema form: the compiler reports it.
 */
export function programFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ProgramFile, { io: "input", unrepresentable: "any" }) as Record<string, unknown>
  return { ...schema, title: "Loyalty program settings file" }
}

/**
 * The JSON Schema (draft 2020-12) of a tiers file. Invariant: pure; same output for the same code. The ladder
 * checks (unique codes and ranks, base tier, increasing thresholds) have no JSON Schema form: the compiler reports them.
 */
export function tiersFileJsonSchema(): Record<string, unknown> {
  return withConditions(TiersFile, "Loyalty tiers file", MEMBER_FACT_NAMES)
}

/**
 * The JSON Schema (draft 2020-12) of a promotions file. Invariant: pure; same output for the same code. Unique
 * codes and groups, known tiers and starts_at < ends_at are the compiler's checks.
 */
export function promotionsFileJsonSchema(): Record<string, unknown> {
  return withConditions(PromotionsFile, "Loyalty promotions file", MEMBER_FACT_NAMES)
}

/**
 * The JSON Schema (draft 2020-12) of an actions file. Invariant: pure; same output for the same code. Unique rule
 * names and starts_at < ends_at are the compiler's checks.
 */
export function actionsFileJsonSchema(): Record<string, unknown> {
  return withConditions(ActionsFile, "Loyalty earning actions file", ACTION_FACT_NAMES)
}

/** Every kind's generator: the committed `rules/schema/<kind>.schema.json` files are exactly these outputs. */
export const RULE_FILE_JSON_SCHEMAS: Readonly<Record<RuleFileKind, () => Record<string, unknown>>> = {
  accrual: accrualFileJsonSchema,
  program: programFileJsonSchema,
  tiers: tiersFileJsonSchema,
  promotions: promotionsFileJsonSchema,
  actions: actionsFileJsonSchema,
}
