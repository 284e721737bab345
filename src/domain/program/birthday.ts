/**
 * Birthdays: the customer field `metadata.birthday` ("YYYY-MM-DD" or "MM-DD") earns the `birthday` action once a
 * year, on the member's birthday in the program's time zone (a 29 February birthday is celebrated on 28 February
 * in other years), unless the birthday was set or changed in the last BIRTHDAY_CHANGE_COOLDOWN_DAYS days.
 * Pure: the caller passes the instant (never the clock).
 */
import { daysInMonth, localTime } from "../shared/store-time"
import { DAY_MS } from "../shared/time"

/** A birthday set or changed this recently earns nothing (no moving one's birthday to today for points). */
export const BIRTHDAY_CHANGE_COOLDOWN_DAYS = 30

export interface Birthday {
  month: number
  day: number
  /** The year of birth when given ("YYYY-MM-DD"); never used for anything but validation. */
  year: number | null
}

/** Reads `metadata.birthday`: "YYYY-MM-DD" or "MM-DD", a real calendar day (29 February allowed); else null. */
export function parseBirthday(value: unknown): Birthday | null {
  if (typeof value !== "string") return null
  const m = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(value.trim())
  if (!m) return null
  const year = m[1] === undefined ? null : Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  if (month < 1 || month > 12 || day < 1) return null
  // Without a year, 29 February is a valid birthday; with one, the day must exist in that year.
  if (day > daysInMonth(year ?? 2000, month)) return null
  return { month, day, year }
}

/** The "MM-DD" a birthday is celebrated on in `year`: 02-29 becomes 02-28 outside leap years. */
export function celebratedOn(b: Birthday, year: number): string {
  const day = Math.min(b.day, daysInMonth(year, b.month))
  return `${String(b.month).padStart(2, "0")}-${String(day).padStart(2, "0")}`
}

/** The store-local date of `now` in `timezone` and the "MM-DD" forms of birthdays celebrated on it. */
export function birthdaysOn(now: Date, timezone: string): { local_date: string; year: number; month_days: string[] } {
  const { local_date } = localTime(now.getTime(), timezone)
  const year = Number(local_date.slice(0, 4))
  const md = local_date.slice(5)
  // 28 February in a common year also celebrates 29 February birthdays.
  const month_days = md === "02-28" && daysInMonth(year, 2) === 28 ? ["02-28", "02-29"] : [md]
  return { local_date, year, month_days }
}

export type BirthdayDecision =
  | { award: true; reference: string }
  | { award: false; reason: "not_today" | "invalid" | "recent_change" }

/**
 * Whether a member's birthday earns on `now`: a valid birthday celebrated on the store-local date, not set or
 * changed within the cooldown before `now`. `last_changed_at`: when it was last set or changed (null: not seen to
 * change, e.g. set before the plugin was installed). Reference: "<customer_id>:<year>" (once per member and year).
 */
export function birthdayDecision(input: { customer_id: string; birthday: unknown; last_changed_at: Date | null; now: Date; timezone: string }): BirthdayDecision {
  const b = parseBirthday(input.birthday)
  if (!b) return { award: false, reason: "invalid" }
  const { year, local_date } = birthdaysOn(input.now, input.timezone)
  if (celebratedOn(b, year) !== local_date.slice(5)) return { award: false, reason: "not_today" }
  if (input.last_changed_at && input.now.getTime() - input.last_changed_at.getTime() < BIRTHDAY_CHANGE_COOLDOWN_DAYS * DAY_MS) {
    return { award: false, reason: "recent_change" }
  }
  return { award: true, reference: birthdayReference(input.customer_id, year) }
}

/** The action reference of a member's birthday award in a year: the ledger key is `action:birthday:<customer>:<year>`. */
export function birthdayReference(customer_id: string, year: number): string {
  return `${customer_id}:${year}`
}

/** The stored form of a birthday value for change tracking: trimmed text, or null when absent. */
export function birthdayValue(metadata: unknown): string | null {
  const v = (metadata as Record<string, unknown> | null | undefined)?.birthday
  return typeof v === "string" && v.trim() !== "" ? v.trim() : null
}

/**
 * Whether a customer event records a birthday change: the birthday now (`birthdayValue`) differs from the one in
 * force at the event's time (`before`: the latest recorded change at or before it; undefined when none is recorded).
 * A first birthday is a change; a redelivery, an update of other fields, or a late event that finds nothing recorded
 * and no birthday is not.
 */
export function birthdayChanged(before: { birthday: string | null } | null | undefined, current: string | null): boolean {
  return before ? before.birthday !== current : current !== null
}

export type BirthdayCounts = {
  /** The store-local date the run celebrated (program timezone). */
  local_date: string
  /** Members whose birthday falls on that date. */
  candidates: number
  awarded: number
  /** Already awarded (or decided) this year: a second run writes nothing. */
  already: number
  /** Set or changed in the last 30 days: nothing awarded. */
  recent_change: number
  /** Every birthday rule had reached a limit, or no action rule applies to a birthday. */
  refused: number
  no_rule: number
  failed: number
}

/** The counts of a birthdays run before any member is looked at. */
export function emptyBirthdayCounts(local_date: string): BirthdayCounts {
  return { local_date, candidates: 0, awarded: 0, already: 0, recent_change: 0, refused: 0, no_rule: 0, failed: 0 }
}

/**
 * Adds one member's outcome to a run's counts. Invariant: every member whose birthday is celebrated on the date
 * (award or recent change) is one candidate and lands in exactly one other count; an invalid or not-today birthday
 * counts nowhere.
 */
export function countBirthday(
  counts: BirthdayCounts,
  decision: BirthdayDecision,
  outcome: "awarded" | "refused" | "no_rule" | "already" | "failed" | null
): void {
  if (!decision.award) {
    if (decision.reason !== "recent_change") return
    counts.candidates++
    counts.recent_change++
    return
  }
  counts.candidates++
  if (outcome) counts[outcome]++
}
