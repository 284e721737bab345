/** A tier code named in a request (an admin's filter): checked against the live ladder, with a suggestion. */
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"
import { closestMatch } from "../rules/text-distance"
import type { TiersDef } from "./tiers"

/**
 * `code` when it is one of the ladder's tier codes; otherwise INVALID_INPUT naming `field`, the closest code as a
 * "did you mean" when one is a plausible typo, and every code of the ladder ("none" without a ladder).
 * Invariant: returns only a code of `tiers`.
 */
export function assertTierCode(tiers: TiersDef | null, code: string, field: string): string {
  const codes = tiers?.tiers.map((t) => t.code) ?? []
  if (codes.includes(code)) return code
  const guess = closestMatch(code, codes)
  const problem = `${field}: unknown tier '${code}'${guess ? `, did you mean '${guess}'?` : ""} (tiers: ${codes.join(", ") || "none"})`
  throw new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, `Invalid request: ${problem}`, { problems: [problem] })
}
