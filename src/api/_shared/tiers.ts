import type { MedusaRequest } from "@medusajs/medusa"
import { LoyaltyError, LoyaltyErrorCodes } from "../../domain/shared/errors"
import type { Rulebook } from "../../domain/rules/rulebook"
import { closestMatch } from "../../domain/rules/text-distance"
import type { TiersDef } from "../../domain/program/tiers"
import type LoyaltyRulesService from "../../services/loyalty-rules"

/** The live rulebook, or null when none is loaded (pages that only show a tier name must not fail for that). */
export function liveRulebook(req: MedusaRequest): Rulebook | null {
  return req.scope.resolve<LoyaltyRulesService>("loyaltyRulesService").findRulebook()
}

/** The live tier ladder, or null (no rulebook or no tiers file). */
export function liveTiers(req: MedusaRequest): TiersDef | null {
  return liveRulebook(req)?.tiers ?? null
}

/** A tier code given in a request: one of the ladder's, else INVALID_INPUT naming `field` with a suggestion. */
export function assertTierCode(tiers: TiersDef | null, code: string, field: string): string {
  const codes = tiers?.tiers.map((t) => t.code) ?? []
  if (codes.includes(code)) return code
  const guess = closestMatch(code, codes)
  const problem = `${field}: unknown tier '${code}'${guess ? `, did you mean '${guess}'?` : ""} (tiers: ${codes.join(", ") || "none"})`
  throw new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, `Invalid request: ${problem}`, { problems: [problem] })
}
