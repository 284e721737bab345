import { MedusaError } from "@medusajs/utils"
import { isLoyaltyError, LoyaltyErrorCode } from "../../domain/errors"

/**
 * The one table from domain error codes to Medusa error types (and so HTTP statuses). Never INVALID_ARGUMENT for
 * client errors: Medusa v1 answers it with a 500.
 */
const MEDUSA_TYPE_BY_CODE: Record<LoyaltyErrorCode, string> = {
  INVALID_INPUT: MedusaError.Types.INVALID_DATA, // 400
  INVALID_OPTIONS: MedusaError.Types.UNEXPECTED_STATE, // 500: the store is misconfigured, not the request
  RULES_INVALID: MedusaError.Types.INVALID_DATA, // 400
  RULES_UNAVAILABLE: MedusaError.Types.UNEXPECTED_STATE, // 500 with the located issues in the message
  NOT_FOUND: MedusaError.Types.NOT_FOUND, // 404
  IDEMPOTENCY_CONFLICT: MedusaError.Types.DUPLICATE_ERROR, // 422
  INSUFFICIENT_POINTS: MedusaError.Types.NOT_ALLOWED, // 400
  LEDGER_INVARIANT: MedusaError.Types.NOT_ALLOWED, // 400: the write was refused, the ledger is intact
  // Checkout refusals of a redemption code: 400 like Medusa's own "discount is not valid" refusals, code kept.
  REDEMPTION_ALREADY_USED: MedusaError.Types.NOT_ALLOWED,
  REDEMPTION_NOT_YOURS: MedusaError.Types.NOT_ALLOWED,
  REDEMPTION_EXPIRED: MedusaError.Types.NOT_ALLOWED,
  ACTION_NOT_ALLOWED: MedusaError.Types.NOT_ALLOWED, // 400
}

/** Converts a LoyaltyError to the MedusaError Medusa's error handler understands; other errors pass through. */
export function toMedusaError(e: unknown): unknown {
  if (!isLoyaltyError(e)) {
    return e
  }
  return new MedusaError(MEDUSA_TYPE_BY_CODE[e.code] as MedusaError["type"], e.message, e.code)
}
