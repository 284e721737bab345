import type { LoyaltyAction } from "../../models/loyalty-action"
import type { LoyaltyRedemption } from "../../models/loyalty-redemption"

/**
 * The public shapes of an account (`tier` as `{ code, name }`) and of a ledger entry live in the core (domain/http/views.ts),
 * shared with the v2 adapter; v1 routes keep importing them from here.
 */
export { serializeAccount, serializeEntry } from "../../domain/http/views"
import { serializeRedemption as serializeCoreRedemption } from "../../domain/http/views"

/** The public shape of a redemption (the core's, shared with the v2 adapter): the v1 discount's code is the code. */
export function serializeRedemption(r: LoyaltyRedemption) {
  return serializeCoreRedemption({ ...r, code: r.discount_code })
}

/** The public shape of a recorded earning action: what was decided, the points, and why nothing was awarded. */
export function serializeAction(a: LoyaltyAction) {
  return {
    id: a.id,
    customer_id: a.customer_id,
    type: a.type,
    reference: a.reference,
    occurred_at: a.occurred_at,
    properties: a.properties,
    status: a.status,
    points: a.points,
    rule_names: a.rule_names,
    rulebook_version: a.rulebook_version,
    reasons: a.reasons,
    entry_id: a.entry_id,
    created_at: a.created_at,
  }
}
