/**
 * The answer of a checkout refused for a loyalty reason (a code already used, someone else's, expired), shaped like
 * Medusa's error responses ({ code, type, message }) so a storefront shows it as it shows Medusa's own refusals.
 */
import type { LoyaltyError } from "../shared/errors"

export type RefusalResponse = { response_code: 400; response_body: { code: string; type: "not_allowed"; message: string } }

/** The 400 answer of a refused checkout: the refusal's stable code and message, Medusa's `not_allowed` type. */
export function refusalResponse(refusal: LoyaltyError): RefusalResponse {
  return { response_code: 400, response_body: { code: refusal.code, type: "not_allowed", message: refusal.message } }
}
