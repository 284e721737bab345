import { birthdayChanged, birthdayDecision, birthdaysOn, celebratedOn, countBirthday, emptyBirthdayCounts, parseBirthday } from "../../src/domain/program/birthday"

const DAY = 86_400_000
const decide = (birthday: unknown, now: string, last_changed_at: Date | null = null, timezone = "America/New_York") =>
  birthdayDecision({ customer_id: "cus_1", birthday, last_changed_at, now: new Date(now), timezone })

describe("birthdays", () => {
  it.each([
    ["1990-03-15", { month: 3, day: 15, year: 1990 }],
    ["03-15", { month: 3, day: 15, year: null }],
    ["02-29", { month: 2, day: 29, year: null }],
    ["2000-02-29", { month: 2, day: 29, year: 2000 }],
  ])("reads %s as a birthday", (text, parsed) => {
    expect(parseBirthday(text)).toEqual(parsed)
  })

  it.each([["1990-02-29"], ["13-01"], ["04-31"], ["3-15"], ["15/03"], [""], [19900315], [null]])("refuses %p as a birthday", (value) => {
    expect(parseBirthday(value)).toBeNull()
  })

  it("celebrates a 29 February birthday on 28 February outside leap years", () => {
    expect(celebratedOn({ month: 2, day: 29, year: null }, 2027)).toBe("02-28")
    expect(celebratedOn({ month: 2, day: 29, year: null }, 2028)).toBe("02-29")
    expect(birthdaysOn(new Date("2027-02-28T17:00:00Z"), "UTC").month_days).toEqual(["02-28", "02-29"])
    expect(decide("02-29", "2027-02-28T17:00:00Z")).toEqual({ award: true, reference: "cus_1:2027" })
  })

  it("judges the day in the program's time zone: 03:00Z on 15 March is still 14 March in New York", () => {
    expect(decide("03-15", "2027-03-15T03:00:00Z")).toEqual({ award: false, reason: "not_today" })
    expect(decide("03-15", "2027-03-15T03:00:00Z", null, "UTC")).toEqual({ award: true, reference: "cus_1:2027" })
    expect(decide("03-15", "2027-03-16T03:00:00Z")).toEqual({ award: true, reference: "cus_1:2027" })
  })

  it("refuses a birthday set or changed less than 30 days before, and awards one changed 30 days before", () => {
    const now = "2027-03-15T15:00:00Z"
    expect(decide("03-15", now, new Date(Date.parse(now) - 30 * DAY + 1))).toEqual({ award: false, reason: "recent_change" })
    expect(decide("03-15", now, new Date(Date.parse(now) - 30 * DAY))).toEqual({ award: true, reference: "cus_1:2027" })
  })

  it("refuses an invalid birthday", () => {
    expect(decide("someday", "2027-03-15T15:00:00Z")).toEqual({ award: false, reason: "invalid" })
  })
})

describe("birthday changes and run counts", () => {
  it("a first birthday is a change, the same birthday again is not, and a late event with no birthday finds nothing to record", () => {
    expect(birthdayChanged(undefined, "03-15")).toBe(true)
    expect(birthdayChanged({ birthday: "03-15" }, "03-15")).toBe(false)
    expect(birthdayChanged({ birthday: "03-15" }, "04-01")).toBe(true)
    expect(birthdayChanged({ birthday: "03-15" }, null)).toBe(true)
    expect(birthdayChanged(undefined, null)).toBe(false)
  })

  it("counts every celebrated member once as a candidate and in exactly one outcome; other days count nowhere", () => {
    const counts = emptyBirthdayCounts("2027-03-15")
    countBirthday(counts, { award: true, reference: "cus_1:2027" }, "awarded")
    countBirthday(counts, { award: true, reference: "cus_2:2027" }, "already")
    countBirthday(counts, { award: false, reason: "recent_change" }, null)
    countBirthday(counts, { award: false, reason: "not_today" }, null)
    expect(counts).toEqual({ local_date: "2027-03-15", candidates: 3, awarded: 1, already: 1, recent_change: 1, refused: 0, no_rule: 0, failed: 0 })
  })
})
