import { createHash } from "crypto"
import { addMonths, expiryDue, expiryEntryDraft, expiryReminder, nextExpiry, type Movement } from "../../src/domain/ledger/expiry"

const at = (iso: string) => new Date(iso.length === 10 ? `${iso}T12:00:00.000Z` : iso)
const m = (points: number, kind: string, date: string): Movement => ({ points, kind, created_at: at(date) })
const balanceOf = (movements: Movement[]) => movements.reduce((sum, x) => sum + x.points, 0)

/** Posts the due expiry like the sweep would and returns the new list. */
const withExpiry = (movements: Movement[], now: string, months: number) =>
  [...movements, m(-expiryDue(movements, at(now), months), "expiry", now)]

describe("addMonths: calendar months in UTC, clamped to the end of shorter months", () => {
  it.each([
    ["2024-01-15T08:30:00.000Z", 1, "2024-02-15T08:30:00.000Z"],
    ["2023-01-31T10:00:00.000Z", 1, "2023-02-28T10:00:00.000Z"],
    ["2024-01-31T10:00:00.000Z", 1, "2024-02-29T10:00:00.000Z"],
    ["2024-02-29T00:00:00.000Z", 12, "2025-02-28T00:00:00.000Z"],
    ["2024-03-31T23:59:59.999Z", 1, "2024-04-30T23:59:59.999Z"],
    ["2023-11-30T00:00:00.000Z", 3, "2024-02-29T00:00:00.000Z"],
    ["2024-05-31T00:00:00.000Z", 120, "2034-05-31T00:00:00.000Z"],
    ["2024-03-31T00:00:00.000Z", -1, "2024-02-29T00:00:00.000Z"],
    ["2024-01-10T00:00:00.000Z", -13, "2022-12-10T00:00:00.000Z"],
    ["2024-01-10T00:00:00.000Z", 0, "2024-01-10T00:00:00.000Z"],
  ])("%s + %i months = %s", (date, months, expected) => {
    expect(addMonths(new Date(date), months).toISOString()).toBe(expected)
  })

  it("does not change its input", () => {
    const date = new Date("2024-01-31T00:00:00.000Z")
    addMonths(date, 1)
    expect(date.toISOString()).toBe("2024-01-31T00:00:00.000Z")
  })
})

describe("expiryDue: unconsumed credits older than `months`, debits spending the oldest credits first", () => {
  const history = [
    m(100, "accrual", "2023-01-15"),
    m(50, "accrual", "2023-06-01"),
    m(-120, "redemption", "2023-08-01"),
    m(200, "accrual", "2024-03-01"),
  ]

  it.each([
    ["nothing is old enough", "2023-12-31", 0],
    ["the oldest credit was fully redeemed", "2024-01-15", 0],
    ["the rest of the second credit after the redemption", "2024-06-01", 30],
    ["everything is past its date", "2025-03-01", 230],
  ])("with a redemption: %s → due at %s is %i", (_label, now, expected) => {
    expect(expiryDue(history, at(now), 12)).toBe(expected)
  })

  it.each([
    ["a clawback consumes the oldest credit, whatever order it came from", [m(100, "accrual", "2023-01-15"), m(80, "accrual", "2023-05-01"), m(-60, "clawback", "2023-06-01")], 40],
    ["a reversal larger than the oldest credit spills into the next", [m(100, "accrual", "2023-01-15"), m(80, "accrual", "2023-01-20"), m(-150, "reversal", "2023-06-01")], 30],
    ["a negative adjustment is a debit", [m(100, "accrual", "2023-01-15"), m(-100, "adjustment", "2023-02-01")], 0],
    ["a positive adjustment is a credit", [m(70, "adjustment", "2023-01-15")], 70],
    ["an activation is a credit", [m(40, "activation", "2023-01-15")], 40],
    ["a voided redemption's points restart their clock at the void", [m(500, "accrual", "2022-01-01"), m(-500, "redemption", "2022-06-01"), m(500, "redemption_void", "2023-06-01")], 0],
    ["an earlier expiry entry already took the old points", [m(100, "accrual", "2022-01-10"), m(-100, "expiry", "2023-01-10"), m(60, "accrual", "2023-01-12")], 60],
    ["a deficit is paid off by the next credit before anything can expire", [m(100, "accrual", "2023-01-01"), m(-150, "clawback", "2023-01-02"), m(80, "accrual", "2023-01-10")], 30],
    ["a negative balance never expires anything", [m(100, "accrual", "2023-01-01"), m(-150, "clawback", "2023-01-02")], 0],
    ["no movements", [], 0],
  ])("%s", (_label, movements, expected) => {
    expect(expiryDue(movements, at("2024-01-31"), 12)).toBe(expected)
  })

  it.each([
    ["one millisecond before the date", "2023-02-28T09:59:59.999Z", 0],
    ["at the date (Jan 31 + 1 month = Feb 28)", "2023-02-28T10:00:00.000Z", 100],
  ])("honours the calendar boundary: %s", (_label, now, expected) => {
    expect(expiryDue([m(100, "accrual", "2023-01-31T10:00:00.000Z")], at(now), 1)).toBe(expected)
  })

  it("gives 0 when run again right after posting its result", () => {
    const posted = withExpiry(history, "2024-06-01", 12)
    expect(posted[posted.length - 1].points).toBe(-30)
    expect(expiryDue(posted, at("2024-06-01"), 12)).toBe(0)
    expect(balanceOf(posted)).toBe(200)
  })

  it("expires later credits at their own date after an earlier expiry was posted", () => {
    const posted = withExpiry(history, "2024-06-01", 12)
    expect(expiryDue(posted, at("2025-02-28"), 12)).toBe(0)
    expect(expiryDue(posted, at("2025-03-01"), 12)).toBe(200)
  })

  it("treats credits posted out of date order by their dates", () => {
    const movements = [m(50, "accrual", "2023-06-01"), m(100, "adjustment", "2023-01-01"), m(-100, "redemption", "2023-07-01")]
    expect(expiryDue(movements, at("2024-01-15"), 12)).toBe(0)
    expect(expiryDue(movements, at("2024-06-01"), 12)).toBe(50)
  })

  it("keeps its invariants over 300 random ledgers: 0 ≤ due ≤ balance, and an immediate re-run gives 0", () => {
    let checked = 0
    for (let seed = 0; seed < 300; seed++) {
      const bytes = createHash("sha256").update(`ledger-${seed}`).digest()
      const movements = Array.from(bytes.subarray(0, 24), (b, i) => {
        const date = new Date(Date.UTC(2022, 0, 1 + i * 20 + (b % 20)))
        return b % 3 === 0 ? m(-(b % 90) - 1, "redemption", date.toISOString()) : m(b + 1, "accrual", date.toISOString())
      })
      const now = at("2024-09-01")
      const due = expiryDue(movements, now, 12)
      expect(due).toBeGreaterThanOrEqual(0)
      expect(due).toBeLessThanOrEqual(Math.max(balanceOf(movements), 0))
      expect(expiryDue(withExpiry(movements, "2024-09-01", 12), now, 12)).toBe(0)
      checked++
    }
    expect(checked).toBe(300)
  })

  it.each([0, -1, 1.5])("refuses %p months", (months) => {
    expect(() => expiryDue(history, at("2024-01-01"), months)).toThrow(expect.objectContaining({ code: "LEDGER_INVARIANT" }))
  })
})

describe("nextExpiry: the oldest unconsumed lot and when it expires", () => {
  it("names the oldest lot left after FIFO and its date", () => {
    const movements = [m(100, "accrual", "2023-01-15"), m(50, "accrual", "2023-06-01"), m(-120, "redemption", "2023-08-01")]
    expect(nextExpiry(movements, at("2023-09-01"), 12)).toEqual({ points: 30, expires_at: at("2024-06-01") })
  })

  it("sums lots that expire on the same UTC calendar day", () => {
    const movements = [
      m(10, "accrual", "2023-03-05T01:00:00.000Z"),
      m(20, "accrual", "2023-03-05T23:00:00.000Z"),
      m(40, "accrual", "2023-03-06T00:00:00.000Z"),
    ]
    expect(nextExpiry(movements, at("2023-04-01"), 12)).toEqual({ points: 30, expires_at: at("2024-03-05T01:00:00.000Z") })
  })

  it("sums credits of different days that clamp to the same end of month", () => {
    const movements = [m(10, "accrual", "2023-01-30"), m(20, "accrual", "2023-01-31"), m(5, "accrual", "2023-02-01")]
    expect(nextExpiry(movements, at("2023-02-02"), 1)).toEqual({ points: 30, expires_at: at("2023-02-28") })
  })

  it("reports points past their date but not yet expired as expiring now, with the rest of today", () => {
    const movements = [m(10, "accrual", "2023-01-01"), m(20, "accrual", "2023-01-10T06:00:00.000Z"), m(40, "accrual", "2023-02-01")]
    expect(nextExpiry(movements, at("2024-01-10T00:00:00.000Z"), 12)).toEqual({ points: 30, expires_at: at("2024-01-10T00:00:00.000Z") })
  })

  it("moves on to the next lot once an expiry was posted", () => {
    const movements = withExpiry([m(10, "accrual", "2023-01-01"), m(40, "accrual", "2023-02-01")], "2024-01-01", 12)
    expect(nextExpiry(movements, at("2024-01-01"), 12)).toEqual({ points: 40, expires_at: at("2024-02-01") })
  })

  it.each([
    ["no movements", []],
    ["everything spent", [m(100, "accrual", "2023-01-01"), m(-100, "redemption", "2023-02-01")]],
    ["a negative balance", [m(100, "accrual", "2023-01-01"), m(-130, "clawback", "2023-02-01")]],
  ])("is null with %s", (_label, movements) => {
    expect(nextExpiry(movements, at("2023-03-01"), 12)).toBeNull()
  })
})

describe("expiryReminder: the next expiry when it falls within the reminder window", () => {
  const now = new Date("2026-11-30T12:00:00Z")
  const next = (days: number, points = 100) => ({ points, expires_at: new Date(now.getTime() + days * 86_400_000) })

  it("reminds of points expiring within the window, with the whole days left rounded up and the UTC expiry day", () => {
    expect(expiryReminder(next(14), now, 14)).toEqual({ points: 100, expires_at: next(14).expires_at, expires_on: "2026-12-14", days_left: 14 })
    expect(expiryReminder(next(0.5), now, 14)).toMatchObject({ days_left: 1, expires_on: "2026-12-01" })
  })

  it("does not remind of points further away, already due, absent, or when reminders are off", () => {
    expect(expiryReminder(next(14.0001), now, 14)).toBeNull()
    expect(expiryReminder(next(0), now, 14)).toBeNull()
    expect(expiryReminder(null, now, 14)).toBeNull()
    expect(expiryReminder(next(3), now, 0)).toBeNull()
  })
})

describe("expiryEntryDraft takes the due points off the balance, never below zero", () => {
  it("is a stop_at_zero debit of the due points, keyed by the caller, with the as-of moment and period", () => {
    expect(expiryEntryDraft({ customer_id: "cus_1", idempotency_key: "expiry:cus_1:2030-06-15", due_points: 75, now: at("2030-06-15T03:00:00Z"), after_months: 12 })).toEqual({
      customer_id: "cus_1", kind: "expiry", points: -75, floor: "stop_at_zero", idempotency_key: "expiry:cus_1:2030-06-15",
      reason: "points older than 12 months", details: { as_of: "2030-06-15T03:00:00.000Z", after_months: 12 },
    })
  })
})
