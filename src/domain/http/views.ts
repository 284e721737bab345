/**
 * The public JSON shapes of accounts and entries (admin and store), shared by both adapters' routes.
 * `tier` is `{ code, name }` (name from the live ladder, the code when the tier is no longer in it) or null.
 */
import type { LoyaltyErrorCode } from "../shared/errors"
import type { TiersDef } from "../program/tiers"

export type AccountFields = {
  id: string
  customer_id: string
  email?: string | null
  points_balance: number
  points_lifetime: number
  points_pending: number
  tier: string | null
  created_at: Date | string
  updated_at: Date | string
}

export type EntryFields = {
  id: string
  kind: string
  points: number
  balance_after: number
  pending_delta: number
  order_id: string | null
  rule_names: string[]
  rulebook_version: string | null
  reason: string | null
  actor_id: string | null
  created_at: Date | string
}

export function serializeAccount(a: AccountFields, tiers: TiersDef | null = null) {
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

/** `points` is signed from the member's point of view. */
export function serializeEntry(e: EntryFields) {
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

export type RedemptionFields = {
  id: string
  points: number
  /** The single-use code the member types at checkout (a v1 discount's, a v2 promotion's). */
  code: string
  amount_minor: number
  currency_code: string
  expires_at: Date | string
  status: string
  cart_id: string | null
  order_id: string | null
  settled_at: Date | string | null
  voided_at: Date | string | null
  created_at: Date | string
}

/** The public shape of a redemption; `amount` is in minor units of `currency_code` (500 = 5.00 EUR). */
export function serializeRedemption(r: RedemptionFields) {
  return {
    id: r.id,
    points: r.points,
    discount_code: r.code,
    amount: r.amount_minor,
    currency_code: r.currency_code,
    expires_at: r.expires_at,
    status: r.status,
    cart_id: r.cart_id,
    order_id: r.order_id,
    settled_at: r.settled_at,
    voided_at: r.voided_at,
    created_at: r.created_at,
  }
}

export type ActionFields = {
  id: string
  customer_id: string
  type: string
  reference: string
  occurred_at: Date | string
  properties: Record<string, string | number | boolean | null>
  status: string
  points: number
  rule_names: string[]
  rulebook_version: string | null
  reasons: Array<{ rule?: string; limit?: string; max?: number; period?: string; message: string }>
  entry_id: string | null
  created_at: Date | string
}

/** The public shape of a recorded earning action (both adapters): what was decided, the points, and why nothing was awarded. */
export function serializeAction(a: ActionFields) {
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

/**
 * The error type (HTTP status) of each domain error code, as Medusa's MedusaError.Types spell them (v1 and v2 alike):
 * the one table both adapters' error handling reads. Never "invalid_argument" for client errors: Medusa v1 answers it
 * with a 500. Checkout refusals of a redemption code answer 400 like Medusa's own "discount is not valid", code kept.
 */
export const ERROR_TYPE_BY_CODE = {
  INVALID_INPUT: "invalid_data", // 400
  INVALID_OPTIONS: "unexpected_state", // 500: the store is misconfigured, not the request
  RULES_INVALID: "invalid_data", // 400
  RULES_UNAVAILABLE: "unexpected_state",
  NOT_FOUND: "not_found", // 404
  IDEMPOTENCY_CONFLICT: "duplicate_error", // 422
  INSUFFICIENT_POINTS: "not_allowed", // 400
  LEDGER_INVARIANT: "not_allowed",
  REDEMPTION_ALREADY_USED: "not_allowed",
  REDEMPTION_NOT_YOURS: "not_allowed",
  REDEMPTION_EXPIRED: "not_allowed",
  ACTION_NOT_ALLOWED: "not_allowed",
  REFERRAL_CODE_UNKNOWN: "invalid_data", // 400
  REFERRAL_SELF: "not_allowed",
  REFERRAL_ALREADY_ATTACHED: "not_allowed",
  REFERRAL_NOT_ALLOWED: "not_allowed",
} as const satisfies Record<LoyaltyErrorCode, string>
