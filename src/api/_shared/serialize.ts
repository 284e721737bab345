import type { LoyaltyAccount } from "../../models/loyalty-account"
import type { LoyaltyAction } from "../../models/loyalty-action"
import type { LoyaltyLedgerEntry } from "../../models/loyalty-ledger-entry"
import type { LoyaltyRedemption } from "../../models/loyalty-redemption"
import type { TiersDef } from "../../domain/tiers"

/**
 * The public shape of an account (admin and store). `tier` is `{ code, name }` (name from the live ladder `tiers`,
 * the code when the tier is no longer in it) or null before the first evaluation.
 */
export function serializeAccount(a: LoyaltyAccount & { email?: string | null }, tiers: TiersDef | null = null) {
  return {
    id: a.id,
    customer_id: a.customer_id,
    ...(a.email !== undefined ? { email: a.email } : {}),
    points_balance: a.points_balance,
    points_lifetime: a.points_lifetime,
    points_pending: a.points_pending,
    tier: a.tier === null ? null : { code: a.tier, name: tiers?.tiers.find((t) => t.code === a.tier)?.name ?? a.tier },
    created_at: a.created_at,
    updated_at: a.updated_at,
  }
}

/** The public shape of a ledger entry; `points` is signed from the member's point of view. */
export function serializeEntry(e: LoyaltyLedgerEntry) {
  return {
    id: e.id,
    kind: e.kind,
    points: e.points,
    balance_after: e.balance_after,
    pending_points: e.pending_delta,
    order_id: e.order_id,
    rule_names: e.rule_names,
    rulebook_version: e.rulebook_version,
    reason: e.reason,
    actor_id: e.actor_id,
    created_at: e.created_at,
  }
}

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
