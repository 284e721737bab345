import type { MedusaRequest } from "@medusajs/medusa"
import type { Rulebook } from "../../domain/rules/rulebook"
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

/** A tier code given in a request: the core's check (both majors refuse an unknown tier the same way). */
export { assertTierCode } from "../../domain/program/tier-code"
