import type { LoyaltyAction } from "../../models/loyalty-action"
import type { LoyaltyRedemption } from "../../models/loyalty-redemption"

/**
 * The public shapes of an account (`tier` as `{ code, name }`) and of a ledger entry live in the core (domain/http/views.ts),
 * shared with the v2 adapter; v1 routes keep importing them from here.
 */
export { serializeAccount, serializeEntry } from "../../domain/http/views"
import { serializeAction as serializeCoreAction, serializeRedemption as serializeCoreRedemption } from "../../domain/http/views"

/** The public shape of a redemption (the core's, shared with the v2 adapter): the v1 discount's code is the code. */
export function serializeRedemption(r: LoyaltyRedemption) {
  return serializeCoreRedemption({ ...r, code: r.discount_code })
}

/** The public shape of a recorded earning action (the core's, shared with the v2 adapter). */
export function serializeAction(a: LoyaltyAction) {
  return serializeCoreAction(a)
}
