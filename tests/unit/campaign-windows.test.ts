import { evaluateAccrual, orderTimeFacts } from "../../src/domain/program/accrual"
import { inWindow } from "../../src/domain/rules/campaign-window"
import { localTime, parseOffsetDateTime } from "../../src/domain/shared/store-time"
import { accrualFile, compileIssues, compileOk, facts, rule } from "./support/rule-files"

const base = rule({ name: "base-earn" })
const program = (settings: Record<string, unknown>) => ({ name: "program.json", text: JSON.stringify({ kind: "program", ...settings }, null, 2) })
const rulebookWith = (rules: unknown[], timezone?: string) =>
  compileOk([{ name: "accrual.json", text: accrualFile(rules) }, ...(timezone ? [program({ timezone })] : [])])
const blackFriday = rule({
  name: "black-friday",
  starts_at: "2026-11-27T00:00:00-05:00",
  ends_at: "2026-11-28T00:00:00-05:00",
  event: { type: "multiplier", params: { factor: 2 } },
})
const namesAt = (rulebook: ReturnType<typeof rulebookWith>, created_at: string) => evaluateAccrual(rulebook, facts({ created_at })).rule_names

describe("campaign windows: a rule applies to orders placed inside starts_at (inclusive) … ends_at (exclusive)", () => {
  const rulebook = rulebookWith([base, blackFriday])

  it.each([
    ["one millisecond before the start", "2026-11-27T04:59:59.999Z", ["base-earn"]],
    ["exactly at the start (05:00Z = 00:00 in New York)", "2026-11-27T05:00:00.000Z", ["base-earn", "black-friday"]],
    ["the last millisecond inside", "2026-11-28T04:59:59.999Z", ["base-earn", "black-friday"]],
    ["exactly at the end", "2026-11-28T05:00:00.000Z", ["base-earn"]],
  ])("an order placed %s → %j", (_label, created_at, names) => {
    expect(namesAt(rulebook, created_at)).toEqual(names)
  })

  it("doubles the amount points inside the window: 100 → 200", () => {
    expect(evaluateAccrual(rulebook, facts({ created_at: "2026-11-27T15:00:00Z" })).points).toBe(200)
    expect(evaluateAccrual(rulebook, facts({ created_at: "2026-11-29T15:00:00Z" })).points).toBe(100)
  })

  it("reads the order's own placed time, not when it is evaluated: the same facts give the same result any day", () => {
    const inside = facts({ created_at: "2026-11-27T15:00:00Z" })
    expect(evaluateAccrual(rulebook, inside)).toEqual(evaluateAccrual(rulebook, structuredClone(inside)))
  })

  it("an open bound is open: only starts_at applies from then on, only ends_at until then", () => {
    expect(inWindow({ starts_at: "2026-01-01T00:00:00Z" }, Date.parse("2099-01-01T00:00:00Z"))).toBe(true)
    expect(inWindow({ ends_at: "2026-01-01T00:00:00Z" }, Date.parse("2000-01-01T00:00:00Z"))).toBe(true)
    expect(inWindow({ ends_at: "2026-01-01T00:00:00Z" }, NaN)).toBe(false)
  })
})

describe("store-local time facts: order.$.local_date, $.local_weekday, $.local_hour, $.placed_at in the program's timezone", () => {
  const sunday = rule({
    name: "sunday-triple",
    conditions: { all: [{ fact: "order", path: "$.local_weekday", operator: "equal", value: "sunday" }] },
    event: { type: "multiplier", params: { factor: 3 } },
  })
  const lateNight = rule({
    name: "night-owl",
    conditions: { any: [
      { fact: "order", path: "$.local_hour", operator: "greaterThanInclusive", value: 22 },
      { fact: "order", path: "$.local_hour", operator: "lessThan", value: 2 },
    ] },
    event: { type: "fixed_bonus", params: { points: 10 } },
  })

  it("the Sunday rule follows the store's calendar: Monday 03:00 UTC is Sunday 22:00 in New York", () => {
    const newYork = rulebookWith([base, sunday], "America/New_York")
    const utc = rulebookWith([base, sunday])
    expect(namesAt(newYork, "2026-11-30T03:00:00Z")).toEqual(["base-earn", "sunday-triple"])
    expect(namesAt(utc, "2026-11-30T03:00:00Z")).toEqual(["base-earn"])
    expect(namesAt(newYork, "2026-11-29T04:59:00Z")).toEqual(["base-earn"]) // Saturday 23:59 in New York
  })

  it("22:00–02:00 is an any of two hour comparisons, in Tokyo time", () => {
    const tokyo = rulebookWith([base, lateNight], "Asia/Tokyo")
    expect(namesAt(tokyo, "2026-06-01T13:00:00Z")).toEqual(["base-earn", "night-owl"]) // 22:00 JST
    expect(namesAt(tokyo, "2026-06-01T16:59:00Z")).toEqual(["base-earn", "night-owl"]) // 01:59 JST
    expect(namesAt(tokyo, "2026-06-01T17:00:00Z")).toEqual(["base-earn"]) // 02:00 JST
  })

  it.each([
    ["before the spring-forward change: 01:30 EST", "2026-03-08T06:30:00Z", { local_date: "2026-03-08", local_weekday: "sunday", local_hour: 1 }],
    ["after it: 03:30 EDT (02:xx never happens)", "2026-03-08T07:30:00Z", { local_date: "2026-03-08", local_weekday: "sunday", local_hour: 3 }],
    ["the first 01:30 of the fall-back day (EDT)", "2026-11-01T05:30:00Z", { local_date: "2026-11-01", local_weekday: "sunday", local_hour: 1 }],
    ["the second 01:30 (EST)", "2026-11-01T06:30:00Z", { local_date: "2026-11-01", local_weekday: "sunday", local_hour: 1 }],
  ])("across a DST change in New York, %s", (_label, instant, expected) => {
    expect(localTime(Date.parse(instant), "America/New_York")).toEqual(expected)
  })

  it("placed_at is the order's instant in epoch milliseconds, comparable with numbers", () => {
    expect(orderTimeFacts({ created_at: "2026-11-27T05:00:00.000Z" }, "UTC")).toEqual({
      placed_at: 1795755600000, local_date: "2026-11-27", local_weekday: "friday", local_hour: 5,
    })
  })

  it("an unparsable created_at gives no local facts, so time conditions are false rather than an error", () => {
    const newYork = rulebookWith([base, sunday, blackFriday], "America/New_York")
    expect(namesAt(newYork, "not a date")).toEqual(["base-earn"])
  })
})

describe("validation of windows and time zones, with file:line:column and pointer", () => {
  it.each([
    ["an end before the start", { starts_at: "2026-11-28T00:00:00Z", ends_at: "2026-11-27T00:00:00Z" }, "/rules/0/ends_at", /ends_at \(2026-11-27T00:00:00Z\) is before starts_at/],
    ["an empty window", { starts_at: "2026-11-28T00:00:00Z", ends_at: "2026-11-28T01:00:00+01:00" }, "/rules/0/ends_at", /the same instant as starts_at/],
    ["a date without an offset", { starts_at: "2026-11-28T00:00:00" }, "/rules/0/starts_at", /ISO 8601 date-time with an offset/],
    ["February 30", { ends_at: "2026-02-30T00:00:00Z" }, "/rules/0/ends_at", /ISO 8601 date-time with an offset/],
    ["a date only", { starts_at: "2026-11-28" }, "/rules/0/starts_at", /ISO 8601 date-time with an offset/],
  ])("%s is reported at its pointer", (_label, window, pointer, message) => {
    const issues = compileIssues([{ name: "accrual.json", text: accrualFile([rule(window)]) }])
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatchObject({ file: "accrual.json", pointer })
    expect(issues[0].message).toMatch(message)
    expect(issues[0].line).toBeGreaterThan(1)
    expect(issues[0].column).toBeGreaterThan(1)
  })

  it("an unknown time zone is reported at /timezone of the program file", () => {
    const issues = compileIssues([{ name: "accrual.json", text: accrualFile([rule()]) }, program({ timezone: "America/Nowhere" })])
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatchObject({ file: "program.json", pointer: "/timezone", line: 3 })
    expect(issues[0].message).toMatch(/unknown time zone "America\/Nowhere"/)
  })

  it("parses offsets exactly: 00:00-05:00 is 05:00Z", () => {
    expect(parseOffsetDateTime("2026-11-27T00:00:00-05:00")).toBe(Date.parse("2026-11-27T05:00:00Z"))
    expect(parseOffsetDateTime("2026-11-27T24:00:00Z")).toBeUndefined()
  })

  it("spelling the default time zone out keeps the rulebook version; another zone changes it", () => {
    const files = [{ name: "accrual.json", text: accrualFile([rule()]) }]
    const without = compileOk([...files, program({})]).version
    expect(compileOk([...files, program({ timezone: "UTC" })]).version).toBe(without)
    expect(compileOk([...files, program({ timezone: "Europe/Paris" })]).version).not.toBe(without)
  })
})

describe("localTime in UTC without Intl", () => {
  it("answers exactly what Intl answers for Etc/UTC, at edges and on 10,000 random instants from 1970 to 2100", () => {
    const edges = ["2024-02-29T23:59:59.999Z", "2024-03-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z", "2099-12-31T23:30:00.000Z", "2026-12-06T12:00:00.000Z"].map(Date.parse)
    let seed = 20261206
    const random = Array.from({ length: 10_000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return Math.floor((seed / 2 ** 31) * Date.UTC(2100, 0, 1))
    })
    const differ = [...edges, ...random].filter((ms) => JSON.stringify(localTime(ms, "UTC")) !== JSON.stringify(localTime(ms, "Etc/UTC")))
    expect(differ.map((ms) => new Date(ms).toISOString())).toEqual([])
  })
})
