import { accruesPending, DEFAULT_PROGRAM } from "../../src/domain/rules/program"
import { accrualFile, compileIssues, compileOk, readRepoFile, rule } from "./support/rule-files"

const ACCRUAL = { name: "accrual.json", text: accrualFile([rule()]) }
const programFile = (settings: Record<string, unknown> = {}) => JSON.stringify({ kind: "program", ...settings }, null, 2)
const compileProgram = (settings: Record<string, unknown>, name = "program.json") => compileOk([ACCRUAL, { name, text: programFile(settings) }])
const issuesOf = (settings: Record<string, unknown>) => compileIssues([ACCRUAL, { name: "program.json", text: programFile(settings) }])

describe("program settings: the optional \"kind\": \"program\" rule file", () => {
  it("defaults to DEFAULT_PROGRAM when the rulebook has no program file", () => {
    expect(compileOk([ACCRUAL]).program).toEqual(DEFAULT_PROGRAM)
  })

  it("documents the defaults: allow negatives, 100 points per unit, min 500 in steps of 100, codes 30 days, expiry 12 months, no pending, spendable once placed, the store calendar in UTC, reminders 14 days before points expire, referral codes attachable for 30 days", () => {
    expect(DEFAULT_PROGRAM).toEqual({
      negative_balance: "allow",
      redemption: { points_per_currency_unit: 100, min_points: 500, step_points: 100, code_valid_days: 30, max_cart_share_bps: 10_000 },
      expiry: { after_months: 12 },
      pending_days: 0,
      spendable_on: "placed",
      timezone: "UTC",
      expiry_reminder_days: 14,
      referral: { attach_within_days: 30 },
    })
  })

  it.each([
    ["an empty program file", {}],
    ["an empty redemption object", { redemption: {} }],
    ["an empty expiry object", { expiry: {} }],
  ])("applies every default to %s", (_label, settings) => {
    expect(compileProgram(settings).program).toEqual(DEFAULT_PROGRAM)
  })

  it("reads the committed rules/program.json as exactly the defaults", () => {
    const rulebook = compileOk([ACCRUAL, { name: "program.json", text: readRepoFile("rules/program.json") }])
    expect(rulebook.program).toEqual(DEFAULT_PROGRAM)
  })

  it("keeps the defaults of the fields a partial redemption object leaves out", () => {
    expect(compileProgram({ redemption: { min_points: 1000 } }).program.redemption).toEqual({ ...DEFAULT_PROGRAM.redemption, min_points: 1000 })
  })

  it.each([
    [{ negative_balance: "stop_at_zero" }, { negative_balance: "stop_at_zero" }],
    [{ expiry: null }, { expiry: null }],
    [{ expiry: { after_months: 24 } }, { expiry: { after_months: 24 } }],
    [{ pending_days: 14 }, { pending_days: 14 }],
    [{ spendable_on: "captured" }, { spendable_on: "captured" }],
    [{ spendable_on: "captured", pending_days: 7 }, { spendable_on: "captured", pending_days: 7 }],
    [{ redemption: { points_per_currency_unit: 1, min_points: 1, step_points: 1, code_valid_days: 3650 } }, { redemption: { points_per_currency_unit: 1, min_points: 1, step_points: 1, code_valid_days: 3650, max_cart_share_bps: 10_000 } }],
  ])("takes %j from the file", (settings, expected) => {
    expect(compileProgram(settings).program).toEqual({ ...DEFAULT_PROGRAM, ...expected })
  })

  it("freezes the settings", () => {
    const { program } = compileProgram({})
    expect(Object.isFrozen(program)).toBe(true)
    expect(Object.isFrozen(program.redemption)).toBe(true)
  })

  it.each([
    ["an unknown negative_balance policy", { negative_balance: "stop-at-zero" }, "/negative_balance", /must be one of "allow", "stop_at_zero"/],
    ["points_per_currency_unit 0", { redemption: { points_per_currency_unit: 0 } }, "/redemption/points_per_currency_unit", /must be at least 1, got 0/],
    ["points_per_currency_unit above 1e6", { redemption: { points_per_currency_unit: 1_000_001 } }, "/redemption/points_per_currency_unit", /must be at most 1000000/],
    ["a fractional points_per_currency_unit", { redemption: { points_per_currency_unit: 2.5 } }, "/redemption/points_per_currency_unit", /must be an integer, got 2.5/],
    ["step_points 0", { redemption: { step_points: 0 } }, "/redemption/step_points", /must be at least 1, got 0/],
    ["min_points 0", { redemption: { min_points: 0 } }, "/redemption/min_points", /must be at least 1, got 0/],
    ["min_points below step_points", { redemption: { min_points: 50, step_points: 100 } }, "/redemption/min_points", /min_points \(50\) must be at least redemption.step_points \(100\)/],
    ["min_points not a multiple of step_points", { redemption: { min_points: 550, step_points: 100 } }, "/redemption/min_points", /min_points \(550\) must be a multiple of redemption.step_points \(100\)/],
    ["code_valid_days 0", { redemption: { code_valid_days: 0 } }, "/redemption/code_valid_days", /must be at least 1, got 0/],
    ["code_valid_days above 3650", { redemption: { code_valid_days: 3651 } }, "/redemption/code_valid_days", /must be at most 3650/],
    ["an unknown redemption key", { redemption: { min_point: 500 } }, "/redemption/min_point", /unknown key "min_point"/],
    ["after_months 0", { expiry: { after_months: 0 } }, "/expiry/after_months", /must be at least 1, got 0/],
    ["after_months above 120", { expiry: { after_months: 121 } }, "/expiry/after_months", /must be at most 120/],
    ["expiry as a number", { expiry: 12 }, "/expiry", /expiry/],
    ["pending_days -1", { pending_days: -1 }, "/pending_days", /must be at least 0, got -1/],
    ["pending_days above 365", { pending_days: 366 }, "/pending_days", /must be at most 365/],
    ["pending_days as a string", { pending_days: "7" }, "/pending_days", /must be a number, got "7"/],
    ["an unknown spendable_on", { spendable_on: "paid" }, "/spendable_on", /must be one of "placed", "captured"/],
    ["spendable_on as a boolean", { spendable_on: true }, "/spendable_on", /must be one of "placed", "captured"/],
    ["an unknown top-level key", { pending_day: 3 }, "/pending_day", /unknown key "pending_day" at the top of the file/],
  ])("reports %s with the file and JSON pointer", (_label, settings, pointer, message) => {
    const issues = issuesOf(settings)
    expect(issues).toContainEqual(expect.objectContaining({ file: "program.json", pointer, message: expect.stringMatching(message), line: expect.any(Number) }))
  })

  it("reports one issue, not two, for a min_points that is out of range", () => {
    expect(issuesOf({ redemption: { min_points: 0 } })).toHaveLength(1)
  })

  it("reports a second program file at the second file's kind", () => {
    const issues = compileIssues([
      ACCRUAL,
      { name: "a-program.json", text: programFile() },
      { name: "b-program.json", text: programFile({ pending_days: 3 }) },
    ])
    expect(issues).toEqual([expect.objectContaining({ file: "b-program.json", pointer: "/kind", message: expect.stringMatching(/second program file.*a-program\.json/), line: 2 })])
  })

  it("still needs an accrual file when there is a program file", () => {
    const issues = compileIssues([{ name: "program.json", text: programFile() }])
    expect(issues).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/^no accrual rules/) }))
  })
})

describe("program settings in the rulebook version", () => {
  const versionWith = (settings: Record<string, unknown>) => compileProgram(settings).version

  it.each([
    ["negative_balance", { negative_balance: "stop_at_zero" }],
    ["points_per_currency_unit", { redemption: { points_per_currency_unit: 200 } }],
    ["min_points", { redemption: { min_points: 600 } }],
    ["step_points", { redemption: { min_points: 500, step_points: 50 } }],
    ["code_valid_days", { redemption: { code_valid_days: 31 } }],
    ["after_months", { expiry: { after_months: 6 } }],
    ["no expiry", { expiry: null }],
    ["pending_days", { pending_days: 1 }],
    ["spendable_on", { spendable_on: "captured" }],
    ["referral.attach_within_days", { referral: { attach_within_days: 7 } }],
    ["expiry_reminder_days", { expiry_reminder_days: 0 }],
  ])("changes when %s changes", (_label, settings) => {
    expect(versionWith(settings)).not.toBe(versionWith({}))
  })

  it("keeps the version of a program file written before spendable_on existed (its default is not hashed)", () => {
    // The version the release before spendable_on (commit 6fae82f) gave this rulebook.
    const before = "8fd55563006f8e39ec6fa8134a099df3d35bc3fcfab23fa7e89c1c07b34a00f6"
    expect(versionWith({ pending_days: 3 })).toBe(before)
    expect(versionWith({ pending_days: 3, spendable_on: "placed" })).toBe(before)
    expect(versionWith({ pending_days: 3, referral: { attach_within_days: 30 }, expiry_reminder_days: 14 })).toBe(before)
  })

  it("is the same whether the defaults are written out or left implicit", () => {
    expect(versionWith(JSON.parse(readRepoFile("rules/program.json")))).toBe(
      versionWith({ $schema: "./schema/program.schema.json", description: JSON.parse(readRepoFile("rules/program.json")).description })
    )
  })

  it("does not change the version of a rulebook without a program file", () => {
    const accrualOnly = compileOk([ACCRUAL]).version
    expect(compileProgram({}).version).not.toBe(accrualOnly)
    expect(compileOk([ACCRUAL]).version).toBe(accrualOnly)
  })
})

describe("accruesPending: whether an order's points are posted as pending", () => {
  it.each<[string, { pending_days: number; spendable_on: "placed" | "captured" }, boolean, boolean]>([
    ["placed, no pending period", { pending_days: 0, spendable_on: "placed" }, false, false],
    ["placed, a pending period", { pending_days: 14, spendable_on: "placed" }, false, true],
    ["captured, payment only authorized", { pending_days: 0, spendable_on: "captured" }, false, true],
    ["captured, payment already captured", { pending_days: 0, spendable_on: "captured" }, true, false],
    ["captured and a pending period, payment captured", { pending_days: 3, spendable_on: "captured" }, true, true],
  ])("%s → %s", (_label, program, captured, pending) => {
    expect(accruesPending(program, captured)).toBe(pending)
  })
})
