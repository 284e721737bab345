/**
 * Expiry, first in first out: points expire `months` calendar months after they were credited, and every debit
 * (redemption, clawback, reversal, earlier expiry, negative adjustment) spends the OLDEST credits first, so the
 * points that expire are exactly the old ones the member has not used.
 *
 * The model is the account's ledger as available-balance movements in posting order:
 * - a positive movement is a credit "lot" dated at its own created_at (accruals, activations, positive
 *   adjustments, and also a voided redemption's points coming back: they restart their clock at the void, the
 *   simple and member-friendly reading);
 * - a negative movement is a debit that consumes the oldest lots; a debit larger than all lots leaves a deficit
 *   (a negative balance) that later credits pay off first.
 */
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"
import type { EntryDraft } from "./ledger"
import { DAY_MS } from "../shared/time"

export interface Movement {
  /** Signed change of the available balance. */
  points: number
  /** Ledger entry kind; informative here (the sign decides credit or debit). */
  kind: string
  created_at: Date
}

/** What is left of one credit after FIFO. */
interface Lot {
  points: number
  created_at: Date
}

/**
 * Points that must expire at `now`: the unconsumed remainder (after FIFO over every movement, earlier expiry
 * entries included) of each credit with addMonths(created_at, months) ≤ now.
 * Invariants: 0 ≤ result ≤ max(balance, 0); posting `-result` (kind "expiry", at `now`) and running again at the
 * same `now` gives 0, because that debit consumes exactly the expired (oldest) lots.
 */
export function expiryDue(movements: readonly Movement[], now: Date, months: number): number {
  assertMonths(months)
  return openLots(movements)
    .filter((lot) => addMonths(lot.created_at, months).getTime() <= now.getTime())
    .reduce((sum, lot) => sum + lot.points, 0)
}

/**
 * The next points to expire: the oldest unconsumed lot and its expiry date (credit date + months), summed with
 * every other lot expiring on the same UTC calendar day. Lots already past their date but not yet posted as
 * expiry are reported at `now` (the next sweep expires them). null when no points are left to expire.
 * Invariant: points > 0 and ≤ the balance whenever the result is not null.
 */
export function nextExpiry(movements: readonly Movement[], now: Date, months: number): { points: number; expires_at: Date } | null {
  assertMonths(months)
  const dated = openLots(movements).map((lot) => ({
    points: lot.points,
    expires_at: new Date(Math.max(addMonths(lot.created_at, months).getTime(), now.getTime())),
  }))
  if (dated.length === 0) return null
  const first = dated[0]
  const day = utcDay(first.expires_at)
  const points = dated.filter((lot) => utcDay(lot.expires_at) === day).reduce((sum, lot) => sum + lot.points, 0)
  return { points, expires_at: first.expires_at }
}

export interface ExpiryReminder {
  points: number
  expires_at: Date
  /** The UTC day of `expires_at`: a member is reminded once per expiry date. */
  expires_on: string
  /** Whole days from `now` to `expires_at`, rounded up (1 = within the next 24 hours). */
  days_left: number
}

/**
 * The reminder due for a member's next expiry (from nextExpiry) at `now`: when it expires after `now` and within
 * `reminder_days` days; null otherwise (nothing expiring, already due, too far away, or reminders off with 0).
 */
export function expiryReminder(next: { points: number; expires_at: Date } | null, now: Date, reminder_days: number): ExpiryReminder | null {
  if (!next || reminder_days <= 0 || next.points <= 0) return null
  const left = next.expires_at.getTime() - now.getTime()
  if (left <= 0 || left > reminder_days * DAY_MS) return null
  return { points: next.points, expires_at: next.expires_at, expires_on: utcDay(next.expires_at), days_left: Math.ceil(left / DAY_MS) }
}

/**
 * `date` moved by `months` calendar months in UTC, keeping the time of day; the day is clamped to the end of a
 * shorter month (Jan 31 + 1 → Feb 28, or Feb 29 in a leap year). Negative months go back.
 * Invariant: the result's UTC month is exactly `months` after the input's.
 */
export function addMonths(date: Date, months: number): Date {
  if (!Number.isSafeInteger(months)) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `months must be an integer, got ${months}`, { months })
  }
  const target = date.getUTCMonth() + months
  const year = date.getUTCFullYear() + Math.floor(target / 12)
  const month = ((target % 12) + 12) % 12
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month))
  const result = new Date(date.getTime())
  result.setUTCFullYear(year, month, day)
  return result
}

/**
 * The unconsumed credit lots after FIFO over all movements, oldest first. Lots are kept sorted by date so "oldest"
 * holds even if two entries were posted out of date order.
 */
function openLots(movements: readonly Movement[]): Lot[] {
  const lots: Lot[] = []
  let deficit = 0
  for (const movement of movements) {
    assertMovement(movement)
    if (movement.points > 0) {
      // A negative balance is paid off before anything new can expire.
      const paid = Math.min(deficit, movement.points)
      deficit -= paid
      if (movement.points > paid) insertByDate(lots, { points: movement.points - paid, created_at: movement.created_at })
    } else {
      deficit += consumeOldest(lots, -movement.points)
    }
  }
  return lots
}

/** Takes `points` from the oldest lots, removing emptied ones; returns what no lot could cover. */
function consumeOldest(lots: Lot[], points: number): number {
  let left = points
  while (left > 0 && lots.length > 0) {
    const taken = Math.min(lots[0].points, left)
    lots[0].points -= taken
    left -= taken
    if (lots[0].points === 0) lots.shift()
  }
  return left
}

/** Stable insert: after every lot with the same or an earlier date. */
function insertByDate(lots: Lot[], lot: Lot): void {
  let index = lots.length
  while (index > 0 && lots[index - 1].created_at.getTime() > lot.created_at.getTime()) index--
  lots.splice(index, 0, lot)
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10)
}

function assertMonths(months: number): void {
  if (!Number.isSafeInteger(months) || months < 1) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `months must be an integer ≥ 1, got ${months}`, { months })
  }
}

function assertMovement(movement: Movement): void {
  if (!Number.isSafeInteger(movement.points) || !(movement.created_at instanceof Date) || Number.isNaN(movement.created_at.getTime())) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `a movement needs integer points and a valid date (kind ${movement.kind})`, { kind: movement.kind })
  }
}

/**
 * The expiry entry (both adapters): `due_points` (expiryDue's answer, > 0) leave the balance as of `now`, never below
 * zero (a member who already spent into the expiring points loses only what is left).
 */
export function expiryEntryDraft(e: { customer_id: string; idempotency_key: string; due_points: number; now: Date; after_months: number }): EntryDraft {
  return {
    customer_id: e.customer_id,
    kind: "expiry",
    points: -e.due_points,
    floor: "stop_at_zero",
    idempotency_key: e.idempotency_key,
    reason: `points older than ${e.after_months} months`,
    details: { as_of: e.now.toISOString(), after_months: e.after_months },
  }
}

/** The public payload of `loyalty.points_expiring` (docs/ledger.md#events), the same on both majors. */
export interface PointsExpiringEvent {
  customer_id: string
  points: number
  expires_at: string
  expires_on: string
  days_left: number
  balance: number
}

/** The `loyalty.points_expiring` payload of a reminder; `balance` is the member's balance when it is sent. */
export function pointsExpiringEvent(customer_id: string, reminder: ExpiryReminder, balance: number): PointsExpiringEvent {
  return {
    customer_id, points: reminder.points, expires_at: reminder.expires_at.toISOString(), expires_on: reminder.expires_on,
    days_left: reminder.days_left, balance,
  }
}
