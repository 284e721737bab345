import { z } from "zod"

/**
 * Candidate rule files in a request body, as the admin validate and backtest routes take them (both adapters):
 * `files: [{ name, content }]`, the file's exact text, so issues point at its lines and columns.
 */
const FileName = z.string().regex(/^[^/\\]{1,200}$/, "a file name (1–200 characters, no slashes), e.g. accrual.json")

export const RuleFileInput = z.object({ name: FileName, content: z.string() }).strict()

// zod still runs an object's refinements when a field failed (its transform then did not run): count only a list.
const totalBytes = (files: Array<{ content: string }>) =>
  Array.isArray(files) ? files.reduce((n, f) => n + new TextEncoder().encode(f.content).length, 0) : 0

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

/**
 * Adds a contents limit (UTF-8 bytes) to a body schema whose `files` parse to `[{ name, content }]`. Routes pass the
 * same number as their body parser's limit, so this refuses nothing the parser let through unless the two drift.
 */
export function withFilesLimit<S extends z.ZodType<{ files: Array<{ content: string }> }>>(schema: S, limit_bytes: number) {
  return schema.refine((b) => totalBytes(b.files) <= limit_bytes, {
    message: `the files' contents must total at most ${limit_bytes} bytes`,
    path: ["files"],
  })
}

/** The validate route's body: `{ files: [{ name, content }] }` within `limit_bytes`. */
export function rulesValidateBody(limit_bytes: number) {
  return withFilesLimit(z.object({ files: RuleFilesList }).strict(), limit_bytes)
}

/** The limit of a body carrying whole rule files (validate, backtest, a simulation's candidate), the same on both majors. */
export const RULE_FILES_BODY_LIMIT_BYTES = 1_000_000

/**
 * The optional candidate `files` of a body that carries other fields too (POST /admin/loyalty/simulate): the list
 * form `[{ name, content }]` or the map form, as the backtest takes them, within `limit_bytes`. Absent: undefined
 * (the live rulebook is meant). Returns the zod schema for `{ files }` of the form the value has, so its issues name
 * the list's or the map's fields rather than a union's.
 */
export function candidateFilesSchema(files: unknown, limit_bytes: number) {
  const form = Array.isArray(files) ? RuleFilesList : RuleFilesMap
  return withFilesLimit(z.object({ files: form }).strict(), limit_bytes)
}
