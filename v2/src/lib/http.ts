import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { isLoyaltyError, LoyaltyError, LoyaltyErrorCodes } from "../core/domain/shared/errors"
import { ERROR_TYPE_BY_CODE } from "../core/domain/http/views"
import { LOYALTY_MODULE } from "../modules/loyalty"
import { memberContextSource } from "../workflows/members/member-facts"
import type LoyaltyModuleService from "../modules/loyalty/service"
import type { AccountRow } from "../modules/loyalty/service"

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
      const type = ERROR_TYPE_BY_CODE[e.code]
      const status = STATUS_BY_TYPE[type] ?? 500
      res.status(status).json({ type, code: e.code, message: status < 500 ? e.message : "An unknown error occurred." })
    }
  }
}

export const loyaltyOf = (req: MedusaRequest) => req.scope.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
export const queryOf = (req: MedusaRequest) => req.scope.resolve<any>(ContainerRegistrationKeys.QUERY)

/** The logged-in customer (core middleware already refused the request without one). */
export function currentCustomerId(req: MedusaRequest): string {
  const id = (req as unknown as { auth_context?: { actor_id?: string } }).auth_context?.actor_id
  if (!id) throw new MedusaError(MedusaError.Types.UNAUTHORIZED, "Unauthorized")
  return id
}

export function adminUserId(req: MedusaRequest): string | null {
  return (req as unknown as { auth_context?: { actor_id?: string } }).auth_context?.actor_id ?? null
}

/** The account of an existing customer, opened on first need; NOT_FOUND for an unknown customer. */
export async function memberAccount(req: MedusaRequest, customer_id: string): Promise<AccountRow> {
  const loyalty = loyaltyOf(req)
  const found = await loyalty.findAccount(customer_id)
  if (found) return found
  const { data } = await queryOf(req).graph({ entity: "customer", fields: ["id"], filters: { id: customer_id } })
  if (!data[0]) {
    throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Customer ${customer_id} was not found`, { customer_id })
  }
  return (await loyalty.ensureAccount(customer_id, memberContextSource(req.scope, customer_id))).account
}

/** The live rulebook, or null when none is live (pages that show a tier must not fail for that). */
export function liveRulebookOrNull(req: MedusaRequest) {
  try {
    return loyaltyOf(req).getRulebook()
  } catch {
    return null
  }
}

/** The live tier ladder, or null when no rulebook is live. */
export function liveTiers(req: MedusaRequest) {
  return liveRulebookOrNull(req)?.tiers ?? null
}
