import { MedusaError } from "@medusajs/utils"
import { isLoyaltyError, LoyaltyErrorCode } from "../../domain/shared/errors"
import { ERROR_TYPE_BY_CODE } from "../../domain/http/views"

/**
 * The one table from domain error codes to Medusa error types (and so HTTP statuses) is the core's
 * ERROR_TYPE_BY_CODE (domain/http/views.ts, shared with the v2 adapter). Never INVALID_ARGUMENT for client errors:
 * Medusa v1 answers it with a 500.
 */
const MEDUSA_TYPE_BY_CODE: Record<LoyaltyErrorCode, string> = ERROR_TYPE_BY_CODE

/** Converts a LoyaltyError to the MedusaError Medusa's error handler understands; other errors pass through. */
export function toMedusaError(e: unknown): unknown {
  if (!isLoyaltyError(e)) {
    return e
  }
  return new MedusaError(MEDUSA_TYPE_BY_CODE[e.code] as MedusaError["type"], e.message, e.code)
}
