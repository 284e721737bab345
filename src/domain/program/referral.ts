/**
 * Referrals: every member has a code derived from their customer id; a new member attaches a friend's code once,
 * within `referral.attach_within_days` of signing up and before their first order; that first order earns both
 * sides the `referral` action (properties.role "referrer" / "referred"), and canceling it takes both awards back.
 * Pure: the caller passes the facts and the instant (never the clock).
 */
import { createHash } from "crypto"
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"
import { EntryKeys } from "../ledger/entry-keys"
import { DAY_MS } from "../shared/time"
import type { PendingAwardTerms } from "../ledger/activation"

/** Crockford-like alphabet without 0/O, 1/I/L: codes read aloud or typed from a screen. */
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
export const REFERRAL_CODE_LENGTH = 8
export const REFERRAL_CODE_PATTERN = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/

/** The member's referral code: deterministic (the same customer always gets the same code), 8 characters. */
export function referralCode(customer_id: string): string {
  const digest = createHash("sha256").update(`loyalty-referral:${customer_id}`).digest()
  let code = ""
  for (let i = 0; i < REFERRAL_CODE_LENGTH; i++) code += ALPHABET[digest[i] % ALPHABET.length]
  return code
}

/** A code as typed by a customer: trimmed, upper-cased, spaces and dashes dropped. */
export function normalizeReferralCode(input: string): string {
  return input.trim().toUpperCase().replace(/[\s-]/g, "")
}

/** The two sides of a referral, as the `role` property of the `referral` action. */
export const REFERRAL_ROLES = ["referrer", "referred"] as const
export type ReferralRole = (typeof REFERRAL_ROLES)[number]

/** The action reference of one side's award: once per referred customer and side, ever. */
export function referralReference(referred_id: string, role: ReferralRole): string {
  return `${role}:${referred_id}`
}

/** The ledger idempotency key that takes one side's award back (the first order was canceled). */
export function referralReversalKey(referred_id: string, role: ReferralRole): string {
  return EntryKeys.actionReversal("referral", referralReference(referred_id, role))
}

export interface AttachFacts {
  referred_id: string
  /** The owner of the code, or null when no member has that code. */
  referrer_id: string | null
  code: string
  /** When the referred customer signed up. */
  signed_up_at: Date
  /** The code the customer attached earlier, if any. */
  attached_code: string | null
  /** Orders the referred customer has placed already. */
  orders: number
  attach_within_days: number
  now: Date
}

/**
 * Throws the typed refusal of an attach, or returns the referrer's id. Order of checks: an earlier attach, an
 * unknown code, one's own code, an existing order, the window.
 */
export function checkAttach(f: AttachFacts): string {
  if (f.attached_code !== null) {
    throw new LoyaltyError(LoyaltyErrorCodes.REFERRAL_ALREADY_ATTACHED, `A referral code (${f.attached_code}) is already attached to this account; it cannot be changed`, { attached_code: f.attached_code })
  }
  if (f.referrer_id === null) {
    throw new LoyaltyError(LoyaltyErrorCodes.REFERRAL_CODE_UNKNOWN, `No member has the referral code ${f.code}`, { code: f.code })
  }
  if (f.referrer_id === f.referred_id) {
    throw new LoyaltyError(LoyaltyErrorCodes.REFERRAL_SELF, "A member cannot use their own referral code", { code: f.code })
  }
  if (f.orders > 0) {
    throw new LoyaltyError(LoyaltyErrorCodes.REFERRAL_NOT_ALLOWED, "A referral code can only be attached before the first order", { code: f.code })
  }
  const deadline = f.signed_up_at.getTime() + f.attach_within_days * DAY_MS
  if (f.now.getTime() > deadline) {
    throw new LoyaltyError(LoyaltyErrorCodes.REFERRAL_NOT_ALLOWED, `A referral code can only be attached within ${f.attach_within_days} days of signing up (until ${new Date(deadline).toISOString()})`, { code: f.code, deadline: new Date(deadline).toISOString() })
  }
  return f.referrer_id
}

/** What the referred member's order is, as an adapter reads it (order, referral and customer tables). */
export interface FirstOrderFacts {
  order_id: string
  /** The order's status ("canceled" earns nothing). */
  order_status: string
  /** When the order was placed: the awards' occurred_at. */
  order_created_at: Date | string
  /** The id of the referred member's first order (earliest created_at, then id), or null. */
  first_order_id: string | null
  referred_id: string
  /** Whom the referred member's attached code belongs to; null when no code is attached. */
  referrer_id: string | null
  /** The referrer is still a registered customer (a deleted one earns nothing; the referred side still does). */
  referrer_is_member: boolean
  /** The rulebook has action rules at all (without them nothing is reported). */
  has_action_rules: boolean
  /** The program's pending terms when the order's own points wait (the core's accruesPending said so), else null. */
  pending: { pending_days: number; spendable_on: PendingAwardTerms["spendable_on"] } | null
}

/** One side's `referral` action, to report: whose it is, its reference and properties, and its pending terms. */
export interface ReferralAward {
  customer_id: string
  role: ReferralRole
  type: "referral"
  reference: string
  occurred_at: string
  properties: { role: ReferralRole; order_id: string; referred_id: string; referrer_id: string }
  pending?: PendingAwardTerms
}

/**
 * The `referral` actions an order reports: both sides' (referrer first) when it is the first order of a member who
 * attached a code and it is not canceled; none otherwise (a later order, a canceled one, no code, no action rules).
 * A referrer who is no longer a member is left out. Each side's award waits like the order's points when `pending`.
 * Invariant: pure; at most one award per side, and its reference (`referralReference`) makes it once ever.
 */
export function referralAwards(f: FirstOrderFacts): ReferralAward[] {
  if (!f.has_action_rules || f.referrer_id === null || f.first_order_id !== f.order_id || f.order_status === "canceled") return []
  const referrer_id = f.referrer_id
  const occurred_at = new Date(f.order_created_at).toISOString()
  return REFERRAL_ROLES.filter((role) => role !== "referrer" || f.referrer_is_member).map((role) => ({
    customer_id: role === "referrer" ? referrer_id : f.referred_id,
    role,
    type: "referral" as const,
    reference: referralReference(f.referred_id, role),
    occurred_at,
    properties: { role, order_id: f.order_id, referred_id: f.referred_id, referrer_id },
    ...(f.pending ? { pending: { order_id: f.order_id, ...f.pending, reversal_key: referralReversalKey(f.referred_id, role) } } : {}),
  }))
}
