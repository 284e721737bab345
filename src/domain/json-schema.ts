/**
 * JSON Schema of rule files for editors ("$schema": "./schema/accrual.schema.json", "./schema/program.schema.json"), generated from the zod
 * schemas so the two cannot drift (a unit test compares the committed file with this output). Editors get
 * structure and completion; the compiler remains the authority (facts, paths, operator/value types).
 */
import { z } from "zod"
import { OPERATORS } from "./condition"
import { knownPaths } from "./fact-catalogue"
import { AccrualFile, ProgramFile } from "./rule-schema"

const primitive = { type: ["string", "number", "boolean", "null"] }

/** json-rules-engine's condition grammar, recursive through $defs (zod's custom condition check has no JSON form). */
const CONDITION_DEFS = {
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
      fact: { enum: ["order", "customer"] },
      path: { type: "string", examples: [...knownPaths("order"), ...knownPaths("customer")] },
      operator: { enum: [...OPERATORS] },
      value: { anyOf: [primitive, { type: "array", items: primitive }] },
      name: { type: "string" },
      priority: { type: "integer", minimum: 1, maximum: 1000 },
    },
    required: ["fact", "path", "operator", "value"],
    additionalProperties: false,
  },
}

/** The JSON Schema (draft 2020-12) of an accrual rule file. Invariant: pure; same output for the same code. */
export function accrualFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(AccrualFile, {
    io: "input",
    unrepresentable: "any",
    override: (ctx) => {
      if ((ctx.zodSchema as { _zod: { def: { type: string } } })._zod.def.type === "custom") {
        Object.assign(ctx.jsonSchema, { $ref: "#/$defs/group" })
      }
    },
  }) as Record<string, unknown>
  return { ...schema, title: "Loyalty accrual rule file", $defs: { ...((schema.$defs as object) ?? {}), ...CONDITION_DEFS } }
}

/**
 * The JSON Schema (draft 2020-12) of a program settings file. Invariant: pure; same output for the same code.
 * The cross-field check (min_points a multiple of step_points) has no JSON Schema form: the compiler reports it.
 */
export function programFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ProgramFile, { io: "input", unrepresentable: "any" }) as Record<string, unknown>
  return { ...schema, title: "Loyalty program settings file" }
}
