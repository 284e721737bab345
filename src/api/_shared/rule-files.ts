import type { z } from "zod"
import { RuleFilesList, RuleFilesMap, RuleFileInput, rulesValidateBody, withFilesLimit as withLimit } from "../../domain/http/rule-files-input"
import { RULES_VALIDATE_BODY_LIMIT_BYTES } from "./input-guard"

/** Candidate rule files in v1 request bodies: the core's schemas bound to this adapter's body-parser limit. */
export { RuleFileInput, RuleFilesList, RuleFilesMap }

export function withFilesLimit<S extends z.ZodType<{ files: Array<{ content: string }> }>>(schema: S) {
  return withLimit(schema, RULES_VALIDATE_BODY_LIMIT_BYTES)
}

/** The validate route's body: `{ files: [{ name, content }] }`. */
export const RulesValidateBody = rulesValidateBody(RULES_VALIDATE_BODY_LIMIT_BYTES)
