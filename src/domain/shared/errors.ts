/**
 * Domain errors are values with a stable `code`: callers (routes, CLI, subscribers) switch on the code, never on
 * the message. One table in `src/api/_shared/errors.ts` maps codes to MedusaError types (HTTP statuses).
 */
export const LoyaltyErrorCodes = {
  /** Request input (query, body, header) failed validation. */
  INVALID_INPUT: "INVALID_INPUT",
  /** Plugin options failed validation at load. */
  INVALID_OPTIONS: "INVALID_OPTIONS",
  /** A rule file failed validation; `details.issues` lists every problem with file and JSON pointer. */
  RULES_INVALID: "RULES_INVALID",
  /** No valid rulebook is loaded, so nothing that needs rules can run (never award from a half-read rulebook). */
  RULES_UNAVAILABLE: "RULES_UNAVAILABLE",
  /** The entity asked for does not exist. */
  NOT_FOUND: "NOT_FOUND",
  /** Same idempotency key, different payload. */
  IDEMPOTENCY_CONFLICT: "IDEMPOTENCY_CONFLICT",
  /** A business rule refuses the operation (e.g. not enough points). */
  INSUFFICIENT_POINTS: "INSUFFICIENT_POINTS",
  /** A ledger invariant would break (e.g. a non-integer amount reached the ledger). */
  LEDGER_INVARIANT: "LEDGER_INVARIANT",
  /** A redemption code already paid for another order (or is being claimed by a checkout right now). */
  REDEMPTION_ALREADY_USED: "REDEMPTION_ALREADY_USED",
  /** A redemption code used by someone other than the member who redeemed it (another customer, a guest). */
  REDEMPTION_NOT_YOURS: "REDEMPTION_NOT_YOURS",
  /** A redemption code past its date or voided (its points went back to the member). */
  REDEMPTION_EXPIRED: "REDEMPTION_EXPIRED",
  /** An earning action the program refuses outright (a guest customer, a self-referral, a second referral code). */
  ACTION_NOT_ALLOWED: "ACTION_NOT_ALLOWED",
  /** A referral code that no member has. */
  REFERRAL_CODE_UNKNOWN: "REFERRAL_CODE_UNKNOWN",
  /** A member tried to attach their own referral code. */
  REFERRAL_SELF: "REFERRAL_SELF",
  /** A referral code is already attached to this account (one per member, ever). */
  REFERRAL_ALREADY_ATTACHED: "REFERRAL_ALREADY_ATTACHED",
  /** Too late to attach a referral code (the window after signing up is over, or the member already ordered). */
  REFERRAL_NOT_ALLOWED: "REFERRAL_NOT_ALLOWED",
} as const

export type LoyaltyErrorCode = (typeof LoyaltyErrorCodes)[keyof typeof LoyaltyErrorCodes]

export class LoyaltyError extends Error {
  readonly code: LoyaltyErrorCode
  readonly details: Record<string, unknown>

  constructor(code: LoyaltyErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.name = "LoyaltyError"
    this.code = code
    this.details = details
  }
}

/** True when `e` is a LoyaltyError (works across module copies, unlike `instanceof`). */
export function isLoyaltyError(e: unknown): e is LoyaltyError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "LoyaltyError" &&
    typeof (e as { code?: unknown }).code === "string"
}
