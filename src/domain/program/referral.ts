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
