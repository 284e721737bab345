/**
 * Building blocks shared by the zod schemas of every rule file kind: strict objects with "did you mean" for unknown
 * keys, the file header, and conditions checked node by node against the facts the file kind provides.
 */
import { z } from "zod"
import { checkTopLevelCondition, type TopLevelCondition } from "./condition"
import type { FactName } from "./fact-catalogue"
import { unknownKeyError } from "./rule-issues"

/** Longest free text (descriptions) a rule file may hold. */
export const MAX_TEXT = 2000

/** z.strictObject whose unknown-key issues carry the allowed keys (for "did you mean"). */
export function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape, { error: unknownKeyError(Object.keys(shape)) })
}

export const RULE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/

/** A rule's name: unique across the rulebook, stored on ledger entries. */
export const ruleName = z.string().max(100).regex(RULE_NAME_PATTERN, {
  error: "a rule name uses lower-case letters, digits, '-' and '_', starting with a letter or digit (e.g. \"base-earn\")",
})

/** Keys every rule file may have besides its `kind`; `$schema` is editor tooling and never versioned. */
export const fileHeader = {
  $schema: z.string().max(MAX_TEXT).optional(),
  description: z.string().max(MAX_TEXT).optional(),
}

/**
 * A rule's conditions: any JSON, checked by condition.ts so each node reports at its own pointer.
 * Invariant: only `facts` may appear in a leaf; another catalogue fact is reported as the wrong fact for the kind.
 */
export function conditionsOver(facts: readonly FactName[]) {
  return z.custom<TopLevelCondition>(() => true).superRefine((value, ctx) => {
    for (const problem of checkTopLevelCondition(value, facts)) {
      if ("zod" in problem) ctx.addIssue({ ...(problem.zod as z.core.$ZodRawIssue), path: problem.path } as Parameters<typeof ctx.addIssue>[0])
      else ctx.addIssue({ code: "custom", path: problem.path, message: problem.message, params: problem.hint ? { hint: problem.hint } : undefined })
    }
  })
}
