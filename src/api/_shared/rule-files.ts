import { z } from "zod"
import { RULES_VALIDATE_BODY_LIMIT_BYTES } from "./input-guard"

/**
 * Candidate rule files in a request body, as POST /admin/loyalty/rules/validate takes them (and the backtest):
 * `files: [{ name, content }]`, the file's exact text, so issues point at its lines and columns.
 */
const FileName = z.string().regex(/^[^/\\]{1,200}$/, "a file name (1–200 characters, no slashes), e.g. accrual.json")

export const RuleFileInput = z.object({ name: FileName, content: z.string() }).strict()

// zod still runs an object's refinements when a field failed (its transform then did not run): count only a list.
const totalBytes = (files: Array<{ content: string }>) => (Array.isArray(files) ? files.reduce((n, f) => n + Buffer.byteLength(f.content), 0) : 0)

// The same limit as these routes' body parser (middlewares.ts): the contents sit inside the body, so this check
// refuses nothing the parser let through unless a future parser limit grows; both say the same number.
const withinLimit = { message: `the files' contents must total at most ${RULES_VALIDATE_BODY_LIMIT_BYTES} bytes`, path: ["files"] }

/** `files: [{ name, content }]`, 1–100 files. */
export const RuleFilesList = z.array(RuleFileInput).min(1).max(100)

/**
 * The same files as a map `{ "<name>.json": <the file's JSON, parsed, or its text> }`, 1–100 entries; a parsed value
 * is written back as 2-space indented JSON (issues then point into that text).
 */
export const RuleFilesMap = z
  .record(FileName, z.unknown())
  .refine((files) => Object.keys(files).length >= 1 && Object.keys(files).length <= 100, "give 1–100 files")
  .transform((files) =>
    Object.entries(files).map(([name, value]) => ({ name, content: typeof value === "string" ? value : JSON.stringify(value, null, 2) ?? "" }))
  )

/** Adds the shared contents limit to a body schema whose `files` parse to `[{ name, content }]`. */
export function withFilesLimit<S extends z.ZodType<{ files: Array<{ content: string }> }>>(schema: S) {
  return schema.refine((b) => totalBytes(b.files) <= RULES_VALIDATE_BODY_LIMIT_BYTES, withinLimit)
}

/** The validate route's body: `{ files: [{ name, content }] }`. */
export const RulesValidateBody = withFilesLimit(z.object({ files: RuleFilesList }).strict())
