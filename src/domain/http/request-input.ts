/**
 * Request input rules shared by both adapters' routes (pagination, no unknown query keys, the Idempotency-Key header,
 * INVALID_INPUT naming every bad field). The v1 routes import them through src/api/_shared/validate.ts (a
 * re-export), the v2 routes directly: one copy.
 */
import { z } from "zod"
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"
import { MAX_STORABLE_POINTS } from "../ledger/ledger"
import { allowedKeysOf } from "../rules/rule-issues"
import { ACTION_TYPE_PATTERN, BUILT_IN_ACTION_TYPES } from "../program/action"
import { parseOffsetDateTime } from "../shared/store-time"
import { ActionInput, MemberInput, OrderInput, SimulationInput } from "../reports/simulation"

/**
 * A whole number written in decimal digits, as a query string gives it. Not z.coerce.number(): that accepts "0x10",
 * "1e3", " 7", "" (as 0) and arrays (Number(["5"]) is 5), so a client's mistake would silently mean something else.
 */
export function decimalInt(min: number, max: number) {
  return z
    .string({ error: "expected one decimal whole number" })
    .regex(/^[0-9]{1,15}$/, "expected a decimal whole number (digits only, e.g. 20)")
    .transform(Number)
    .pipe(z.number().min(min).max(max))
    .meta({ description: `a whole number from ${min} to ${max}, in decimal digits` })
}

/** A calendar day as YYYY-MM-DD (a real date: 2025-02-30 is refused). */
export const IsoDay = z.iso.date({ error: "expected a date as YYYY-MM-DD, e.g. 2025-03-01" })

/** An ISO date (2025-03-01, midnight UTC) or date-time with an offset (2025-03-01T02:00:00Z), as a Date. */
export const IsoDateTime = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "expected an ISO date such as 2025-03-01 or 2025-03-01T02:00:00Z" })
  .transform((v) => new Date(v))

/** Pagination shared by list routes: integers, limit 1..100 (default 20), offset 0..1e9 (default 0). */
export const PageQuery = z
  .object({
    limit: decimalInt(1, 100).default(20).meta({ description: "page size, 1 to 100 (default 20)" }),
    offset: decimalInt(0, 1_000_000_000).default(0).meta({ description: "items to skip, 0 to 1,000,000,000 (default 0)" }),
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
    return `${where}${field ? `.${field}` : ""}: ${issueMessage(i, keys)}`
  })
  throw new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, `Invalid request: ${problems.join("; ")}`, { problems })
}

/**
 * An issue's message for a client. Unknown keys get a plain sentence: the domain's strict schemas carry their allowed
 * keys in the message behind an internal marker (domain/rules/rule-issues.ts) that must never reach a response.
 */
function issueMessage(issue: z.core.$ZodIssue, keys: string[] | undefined): string {
  if (issue.code !== "unrecognized_keys") return issue.message
  const allowed = allowedKeysOf(issue.message)
  const unknown = `unknown key${keys && keys.length > 1 ? "s" : ""} ${(keys ?? []).map((k) => `'${k}'`).join(", ")}`
  return allowed ? `${unknown} (allowed: ${allowed.join(", ") || "none"})` : unknown
}

const IdempotencyKey = z
  .string({ error: "the Idempotency-Key header is required (a unique string per operation, e.g. a UUID)" })
  .regex(/^[A-Za-z0-9_.:-]{1,200}$/, "must be 1–200 characters of letters, digits, _ . : -")

/** The headers of a write that takes an Idempotency-Key (what idempotencyKeyOf parses; routes document it as `headers`). */
export const IdempotencyHeaders = z.object({
  "Idempotency-Key": IdempotencyKey.meta({ description: "unique per operation (e.g. a UUID): a retry with the same key and body returns the first result" }),
})

/** The required `Idempotency-Key` header of a write: retrying with the same key returns the first result. */
export function idempotencyKeyOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const headers = { "Idempotency-Key": req.headers["idempotency-key"] }
  return parseInput(IdempotencyHeaders, headers, "headers")["Idempotency-Key"]
}

/**
 * POST /store/customers/me/loyalty/redemptions body (both adapters): points to exchange, and where the code is for —
 * a region, or a cart of mine that the code is also applied to (exactly one of the two).
 */
export const RedeemBody = z
  .object({ points: z.number().int(), region_id: z.string().min(1).optional(), cart_id: z.string().min(1).optional() })
  .strict()
  .refine((b) => !b.region_id !== !b.cart_id, { message: "exactly one of region_id or cart_id is required", path: ["region_id"] })

/** POST /store/customers/me/loyalty/referral: a friend's referral code, as typed (both majors' routes). */
export const ReferralAttachBody = z
  .object({ code: z.string().min(1).max(40).meta({ description: "a friend's referral code (case, spaces and dashes do not matter)" }) })
  .strict()

/**
 * POST /admin/loyalty/accounts/:customer_id/adjustments body (both adapters): a signed, non-zero movement that fits
 * the ledger's points column (larger is a 400 here, not a 500 at the write), and why.
 */
export const AdjustmentBody = z
  .object({
    points: z.number().int().min(-MAX_STORABLE_POINTS).max(MAX_STORABLE_POINTS).refine((n) => n !== 0, "must not be 0"),
    reason: z.string().trim().min(1).max(500),
  })
  .strict()

const ActionProperty = z.union([z.string().max(1000), z.number().finite(), z.boolean(), z.null()])

/**
 * POST /admin/loyalty/actions body (both adapters): a custom action the merchant's backend reports. The built-in
 * types (signup, birthday, referral) are the plugin's own and refused here; type + reference earns once, ever.
 */
export const ActionBody = z
  .object({
    customer_id: z.string().min(1).max(100),
    type: z.string().regex(ACTION_TYPE_PATTERN, "lower-case letters, digits and _, starting with a letter (e.g. review, social_follow)")
      .refine((t) => !(BUILT_IN_ACTION_TYPES as readonly string[]).includes(t), { error: `signup, birthday and referral are awarded by the plugin itself` })
      .meta({ description: "a custom action type, e.g. review or social_follow" }),
    reference: z.string().min(1).max(200).meta({ description: "what the action is about (e.g. the review id): type + reference earns once, ever" }),
    occurred_at: z.string().refine((t) => parseOffsetDateTime(t) !== undefined, "expected an ISO 8601 date-time with an offset, e.g. 2026-11-29T10:00:00Z")
      .optional().meta({ description: "when the action happened (default: now); limits and windows use it" }),
    properties: z.record(z.string().max(100), ActionProperty).refine((p) => Object.keys(p).length <= 50, "at most 50 properties").optional()
      .meta({ description: "flat data about the action, read by rules as $.properties.<key>" }),
  })
  .strict()

/** GET /admin/loyalty/actions query (both adapters): a page, optionally one customer's or one type's actions. */
export const ActionListQuery = PageQuery.extend({
  customer_id: z.string().min(1).max(100).optional(),
  type: z.string().regex(ACTION_TYPE_PATTERN).optional(),
}).strict()

/** GET /admin/loyalty/accounts query (both adapters): a page, optionally a search and a tier code. */
export const AccountListQuery = PageQuery.extend({
  q: z.string().trim().min(1).max(200).optional().meta({ description: "a substring of the customer's email or id, case-insensitive" }),
  tier: z.string().trim().min(1).max(40).optional().meta({ description: "a tier code of the ladder (unknown: 400 with a suggestion)" }),
}).strict()

/** POST /admin/loyalty/jobs/reconcile body (both adapters): the window and how many candidates to look at. */
export const ReconcileJobBody = z
  .object({
    since: IsoDateTime.optional().meta({ description: "inclusive; default 30 days before until" }),
    until: IsoDateTime.optional().meta({ description: "exclusive; default now" }),
    limit: z.number().int().min(1).max(10_000).default(1000).meta({ description: "most candidates to look at (default 1000)" }),
  })
  .strict()

/** POST /admin/loyalty/simulate body (both adapters), a stored order: its facts and its member's figures now. */
export const SimulateByOrder = z.object({ order_id: z.string().min(1) }).strict()
/** POST /admin/loyalty/simulate body (both adapters), facts as given: at least `order`, missing facts defaulted. */
export const SimulateByFacts = SimulationInput.extend({ order: OrderInput })
/**
 * POST /admin/loyalty/simulate body (both adapters), an earning action: with `customer_id`, that stored member's facts
 * now and their recorded awards (for limits) replace `member` and the action's `earlier_awards`.
 */
export const SimulateByAction = z
  .object({
    action: ActionInput.meta({ description: "the earning action: type, reference, occurred_at, properties, earlier_awards (for limits)" }),
    member: MemberInput.optional().meta({ description: "the member's facts (missing ones defaulted)" }),
    customer_id: z.string().min(1).max(100).optional().meta({ description: "a stored member: their facts now and their recorded awards replace member and earlier_awards" }),
  })
  .strict()
