/**
 * Store-local time: what an instant is on the store's wall clock (its IANA time zone), with Intl only (no
 * dependency, no clock: every function takes the instant it works on). Used for the order's local date, weekday and
 * hour facts, campaign windows' instants, action limits per day/month/year and birthdays.
 */

/** The store's local date and time of one instant. */
export interface LocalTime {
  /** YYYY-MM-DD on the store's calendar. */
  local_date: string
  /** Lower-case English weekday name: "sunday" … "saturday". */
  local_weekday: string
  /** 0–23 on the store's clock (a DST change skips or repeats an hour; the hour is the clock's). */
  local_hour: number
}

export const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", weekday: "long",
    })
    formatters.set(timeZone, f)
  }
  return f
}

/**
 * Whether `name` is an IANA time zone this runtime knows (e.g. "America/New_York", "UTC").
 * Invariant: never throws.
 */
export function isTimeZone(name: string): boolean {
  if (typeof name !== "string" || name.length === 0 || name.length > 100) return false
  try {
    formatter(name)
    return true
  } catch {
    return false
  }
}

/**
 * The store-local date, weekday and hour of the instant `ms` (milliseconds since the epoch) in `timeZone`.
 * Invariant: pure; throws a RangeError only for an unknown time zone (validated when the rulebook compiles).
 */
export function localTime(ms: number, timeZone: string): LocalTime {
  // UTC, the default program's zone, needs no Intl: formatToParts costs ~9 µs, most of an order's evaluation.
  if (timeZone === "UTC") return utcLocalTime(ms)
  const parts: Record<string, string> = {}
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value
  return {
    local_date: `${parts.year}-${parts.month}-${parts.day}`,
    local_weekday: parts.weekday.toLowerCase(),
    local_hour: Number(parts.hour) % 24,
  }
}

/** localTime in UTC from the Date's UTC fields: the same answer as Intl's for every instant Intl formats. */
function utcLocalTime(ms: number): LocalTime {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, "0")
  return {
    local_date: `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`,
    local_weekday: WEEKDAYS[d.getUTCDay()],
    local_hour: d.getUTCHours(),
  }
}

/** ISO 8601 date-time with an explicit offset (Z or ±HH:MM), seconds and milliseconds optional. */
const OFFSET_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2}))$/

/**
 * Parses an ISO 8601 date-time WITH an offset ("2026-11-27T00:00:00-05:00") to epoch milliseconds, or undefined
 * when the text is malformed, lacks an offset or names an impossible date or time (February 30, 25:00).
 * Invariant: never throws; a date-time without an offset is refused (its instant would depend on the reader).
 */
export function parseOffsetDateTime(text: string): number | undefined {
  const m = typeof text === "string" ? OFFSET_DATE_TIME.exec(text) : null
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? "0"].map(Number)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined
  if (m[8] !== "Z" && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined
  const ms = Date.parse(text)
  return Number.isFinite(ms) ? ms : undefined
}

/** Days in `month` (1–12) of `year` on the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}
