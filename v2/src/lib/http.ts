import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { isLoyaltyError, type LoyaltyError } from "../core/domain/shared/errors"
import { ERROR_TYPE_BY_CODE } from "../core/domain/http/views"
import { liveRulebookOrNull as liveRulebookOf, loyaltyOf as loyaltyOfScope } from "./container"

type Handler = (req: MedusaRequest, res: MedusaResponse) => Promise<void>

const STATUS_BY_TYPE: Record<string, number> = { invalid_data: 400, not_allowed: 400, not_found: 404, duplicate_error: 422, unexpected_state: 500 }

/**
 * Wraps a route so a domain error answers the plugin's public error contract (docs/api.md#errors): the status and
 * `type` of the core's ERROR_TYPE_BY_CODE and the domain `code` kept (Medusa v2's own handler would replace the code
 * of a 422 with "invalid_request_error"). Other errors go to Medusa's handler.
 */
export function route(handler: Handler): Handler {
  return async (req, res) => {
    try {
      await handler(req, res)
    } catch (e) {
      if (!isLoyaltyError(e)) throw e
      sendLoyaltyError(res, e)
    }
  }
}

/** Answers a domain error as the plugin's public error contract (see `route`); also the input guard's answer. */
export function sendLoyaltyError(res: MedusaResponse, e: LoyaltyError): void {
  const type = ERROR_TYPE_BY_CODE[e.code]
  const status = STATUS_BY_TYPE[type] ?? 500
  res.status(status).json({ type, code: e.code, message: status < 500 ? e.message : "An unknown error occurred." })
}

export const loyaltyOf = (req: MedusaRequest) => loyaltyOfScope(req.scope)

/** The logged-in customer (core middleware already refused the request without one). */
export function currentCustomerId(req: MedusaRequest): string {
  const id = (req as unknown as { auth_context?: { actor_id?: string } }).auth_context?.actor_id
  if (!id) throw new MedusaError(MedusaError.Types.UNAUTHORIZED, "Unauthorized")
  return id
}

export function adminUserId(req: MedusaRequest): string | null {
  return (req as unknown as { auth_context?: { actor_id?: string } }).auth_context?.actor_id ?? null
}

/** The live tier ladder, or null when no rulebook is live (pages that show a tier must not fail for that). */
export function liveTiers(req: MedusaRequest) {
  return liveRulebookOf(req.scope)?.tiers ?? null
}
