import { z } from "zod"
import { LoyaltyError, LoyaltyErrorCodes } from "../../domain/errors"

/** Pagination shared by list routes: integers, limit 1..100 (default 20), offset ≥ 0 (default 0). */
export const PageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict()

/** Routes that take no query parameters still refuse unknown ones: a typo must not be silently ignored. */
export const NoQuery = z.object({}).strict()

/**
 * Parses `input` with `schema` or throws INVALID_INPUT naming every bad field as `where.field: message`, so a
 * client knows exactly what to fix.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: "query" | "body" | "params" | "headers"): z.infer<S> {
  const parsed = schema.safeParse(input ?? {})
  if (parsed.success) {
    return parsed.data
  }
  const problems = parsed.error.issues.map((i) => {
    const keys = (i as { keys?: string[] }).keys
    const field = i.path.length ? i.path.join(".") : keys ? keys.join(", ") : ""
    return `${where}${field ? `.${field}` : ""}: ${i.message}`
  })
  throw new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, `Invalid request: ${problems.join("; ")}`, { problems })
}

const IdempotencyKey = z
  .string({ error: "the Idempotency-Key header is required (a unique string per operation, e.g. a UUID)" })
  .regex(/^[A-Za-z0-9_.:-]{1,200}$/, "must be 1–200 characters of letters, digits, _ . : -")

/** The required `Idempotency-Key` header of a write: retrying with the same key returns the first result. */
export function idempotencyKeyOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const headers = { "Idempotency-Key": req.headers["idempotency-key"] }
  return parseInput(z.object({ "Idempotency-Key": IdempotencyKey }), headers, "headers")["Idempotency-Key"]
}
