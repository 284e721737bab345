import type { LoyaltyAction } from "../../models/loyalty-action"
import type { LoyaltyRedemption } from "../../models/loyalty-redemption"

/**
 * The public shapes of an account (`tier` as `{ code, name }`) and of a ledger entry live in the core (domain/http/views.ts),
 * shared with the v2 adapter; v1 routes keep importing them from here.
 */
export { serializeAccount, serializeEntry } from "../../domain/http/views"

/** The public shape of a redemption; `amount` is in minor units of `currency_code` (500 = 5.00 USD). */
export function serializeRedemption(r: LoyaltyRedemption) {
  return {
    id: r.id,
    points: r.points,
    discount_code: r.discount_code,
    amount: r.amount_minor,
    currency_code: r.currency_code,
    expires_at: r.expires_at,
    status: r.status,
    cart_id: r.cart_id,
    created_at: r.created_at,
  }
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
