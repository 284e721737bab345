import {
  ACTIVITY_SERIES,
  activityRange,
  backtestSummary,
  formatDay,
  formatPoints,
  formatSignedPoints,
  issueLine,
  issuesOutsideFiles,
  validateSummary,
} from "../../src/domain/reports/admin-view"

describe("the admin dashboards' shared view logic", () => {
  it("formats points as integers with thousands separators and a dash for nothing", () => {
    expect([formatPoints(12345), formatPoints(0), formatPoints(-300), formatPoints(null), formatPoints(undefined)]).toEqual(["12,345", "0", "-300", "–", "–"])
  })

  it("shows the sign of every non-zero delta", () => {
    expect([formatSignedPoints(1234), formatSignedPoints(-300), formatSignedPoints(0)]).toEqual(["+1,234", "-300", "0"])
  })

  it("shows the UTC day of a timestamp as written", () => {
    expect([formatDay("2026-12-05T23:59:00.000Z"), formatDay(null)]).toEqual(["2026-12-05", "–"])
  })

  it("asks /stats/activity for exactly the last n UTC days ending today", () => {
    const now = new Date("2026-03-01T23:30:00Z")
    expect(activityRange(now, 30)).toEqual({ from: "2026-01-31", to: "2026-03-01" })
    expect(activityRange(now, 1)).toEqual({ from: "2026-03-01", to: "2026-03-01" })
    expect(activityRange(new Date("2025-01-01T00:00:00Z"), 365)).toEqual({ from: "2024-01-03", to: "2025-01-01" })
  })

  it("draws one series per /stats/activity bucket", () => {
    expect(ACTIVITY_SERIES.map((s) => s.key)).toEqual(["issued_points", "redeemed_points", "expired_points", "clawed_back_points", "adjusted_points"])
  })

  it("writes a located issue as file:line:column pointer — message, with ? for an unknown place", () => {
    const issue = { file: "accrual.json", line: 3, column: 7, pointer: "/rules/0/points", message: "must be a number" }
    expect(issueLine(issue)).toBe("accrual.json:3:7 /rules/0/points — must be a number")
    expect(issueLine({ ...issue, line: null, column: null })).toBe("accrual.json:?:? /rules/0/points — must be a number")
  })

  it("keeps the issues of the rulebook as a whole apart from the files' own", () => {
    const a = { file: "a.json", line: 1, column: 1, pointer: "", message: "x" }
    const whole = { file: "(rulebook)", line: null, column: null, pointer: "", message: "no accrual rules" }
    expect(issuesOutsideFiles([a, whole], ["a.json"])).toEqual([whole])
  })

  it("says an invalid candidate applied nothing, and a valid one its version", () => {
    expect(validateSummary({ valid: false, issues: [{ file: "a", line: 1, column: 1, pointer: "", message: "x" }] })).toBe("1 issue(s) — nothing was applied")
    expect(validateSummary({ valid: true, version: "0123456789abcdef", issues: [] })).toBe("Valid: version 0123456789ab")
  })

  it("summarises a backtest with the signed liability delta", () => {
    expect(backtestSummary({ orders_evaluated: 1200, liability_delta_points: 440 })).toBe("1,200 orders · liability delta +440 points")
    expect(backtestSummary({ orders_evaluated: 3, liability_delta_points: -12 })).toBe("3 orders · liability delta -12 points")
  })
})
