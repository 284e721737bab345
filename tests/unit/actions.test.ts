import { actionFacts, actionPayloadHash, evaluateAction, type PastAward } from "../../src/domain/program/action"
import { actionReplay, assertActionMember, signupAction } from "../../src/domain/ledger/action"
import { accrualFile, compileIssues, compileOk, member, rule } from "./support/rule-files"

const ACCRUAL = { name: "accrual.json", text: accrualFile([rule()]) }
const actionsFile = (rules: unknown[]) => ({ name: "actions.json", text: JSON.stringify({ kind: "actions", rules }, null, 2) })
const program = (timezone: string) => ({ name: "program.json", text: JSON.stringify({ kind: "program", timezone }) })
const reviewRule = (extra: Record<string, unknown> = {}) => ({
  name: "review-bonus",
  conditions: { all: [{ fact: "action", path: "$.type", operator: "equal", value: "review" }] },
  event: { type: "award_points", params: { points: 50 } },
  ...extra,
})
const rulebookOf = (rules: unknown[], timezone = "UTC") => compileOk([ACCRUAL, actionsFile(rules), program(timezone)])
const review = (occurred_at: string, properties = {}, timezone = "UTC") =>
  ({ action: actionFacts({ type: "review", reference: `r-${occurred_at}`, occurred_at, properties }, timezone), member: member() })
const awards = (rule_name: string, ...dates: string[]): PastAward[] => dates.map((occurred_at) => ({ occurred_at, rule_names: [rule_name] }))

describe("action rules award fixed points for an action", () => {
  it("a review earns 50 points from the review rule; another type earns nothing", () => {
    const rulebook = rulebookOf([reviewRule()])
    expect(evaluateAction(rulebook, review("2026-11-10T10:00:00Z"), [])).toMatchObject({ points: 50, rule_names: ["review-bonus"], refused: [] })
    const follow = { action: actionFacts({ type: "social_follow", reference: "ig", occurred_at: "2026-11-10T10:00:00Z" }, "UTC"), member: member() }
    expect(evaluateAction(rulebook, follow, [])).toMatchObject({ points: 0, rule_names: [], refused: [] })
  })

  it("conditions read the action's properties ($.properties.rating) and the member's facts", () => {
    const rulebook = rulebookOf([
      reviewRule(),
      { name: "five-star-extra", conditions: { all: [
        { fact: "action", path: "$.properties.rating", operator: "greaterThanInclusive", value: 5 },
        { fact: "member", path: "$.orders_count", operator: "greaterThan", value: 0 },
      ] }, event: { type: "award_points", params: { points: 25 } } },
    ])
    const withOrders = { ...review("2026-11-10T10:00:00Z", { rating: 5 }), member: member({ orders_count: 2 }) }
    expect(evaluateAction(rulebook, withOrders, []).points).toBe(75)
    expect(evaluateAction(rulebook, review("2026-11-10T10:00:00Z", { rating: 5 }), []).points).toBe(50)
    expect(evaluateAction(rulebook, { ...review("2026-11-10T10:00:00Z", { rating: 4 }), member: member({ orders_count: 2 }) }, []).points).toBe(50)
  })

  it("a rule with a campaign window awards only actions that occurred inside it", () => {
    const rulebook = rulebookOf([reviewRule({ starts_at: "2026-11-01T00:00:00Z", ends_at: "2026-12-01T00:00:00Z" })])
    expect(evaluateAction(rulebook, review("2026-11-30T23:59:59Z"), []).points).toBe(50)
    expect(evaluateAction(rulebook, review("2026-12-01T00:00:00Z"), []).points).toBe(0)
  })
})

describe("limits per member: per store-local day, month, year and lifetime", () => {
  it("review 50 max 5 a month: the sixth review of November is refused with a reason, December's first is not", () => {
    const rulebook = rulebookOf([reviewRule({ limits: { per_month: 5 } })])
    const five = awards("review-bonus", "2026-11-01T10:00:00Z", "2026-11-02T10:00:00Z", "2026-11-03T10:00:00Z", "2026-11-04T10:00:00Z", "2026-11-05T10:00:00Z")
    const sixth = evaluateAction(rulebook, review("2026-11-30T10:00:00Z"), five)
    expect(sixth).toMatchObject({ points: 0, rule_names: [] })
    expect(sixth.refused).toEqual([{
      rule: "review-bonus", limit: "per_month", max: 5, period: "2026-11",
      message: 'limit reached: "review-bonus" awards at most 5 times a month per member (2026-11: 5 already)',
    }])
    expect(evaluateAction(rulebook, review("2026-12-01T10:00:00Z"), five).points).toBe(50)
  })

  it("months are the store's calendar: 2026-12-01T03:00Z is still November in New York", () => {
    const rulebook = rulebookOf([reviewRule({ limits: { per_month: 1 } })], "America/New_York")
    const one = awards("review-bonus", "2026-11-15T15:00:00Z")
    expect(evaluateAction(rulebook, review("2026-12-01T03:00:00Z", {}, "America/New_York"), one).refused[0]).toMatchObject({ period: "2026-11" })
    expect(evaluateAction(rulebook, review("2026-12-01T06:00:00Z", {}, "America/New_York"), one).points).toBe(50)
  })

  it.each([
    ["per_day 1: a second review the same local day", { per_day: 1 }, ["2026-11-10T01:00:00Z"], "2026-11-10T23:00:00Z", "2026-11-10"],
    ["per_year 2: a third review in 2026", { per_year: 2 }, ["2026-01-10T01:00:00Z", "2026-06-10T01:00:00Z"], "2026-12-31T23:00:00Z", "2026"],
    ["lifetime 1: a second review ever", { lifetime: 1 }, ["2020-01-10T01:00:00Z"], "2026-11-10T10:00:00Z", "lifetime"],
  ])("%s is refused", (_label, limits, past, at, period) => {
    const rulebook = rulebookOf([reviewRule({ limits })])
    const result = evaluateAction(rulebook, review(at), awards("review-bonus", ...past))
    expect(result.points).toBe(0)
    expect(result.refused[0]).toMatchObject({ rule: "review-bonus", period })
  })

  it("counts only the awards of the same rule: another rule's awards leave the limit untouched", () => {
    const rulebook = rulebookOf([reviewRule({ limits: { per_day: 1 } })])
    expect(evaluateAction(rulebook, review("2026-11-10T12:00:00Z"), awards("follow-bonus", "2026-11-10T10:00:00Z")).points).toBe(50)
  })
})

describe("validation of actions files, with file and pointer", () => {
  it.each([
    ["an order fact (actions read action and member)", reviewRule({ conditions: { all: [{ fact: "order", path: "$.subtotal", operator: "greaterThan", value: 1 }] } }), "/rules/0/conditions/all/0/fact"],
    ["an accrual event type", reviewRule({ event: { type: "fixed_bonus", params: { points: 5 } } }), "/rules/0/event/type"],
    ["a zero limit", reviewRule({ limits: { per_month: 0 } }), "/rules/0/limits/per_month"],
    ["a misspelled limit", reviewRule({ limits: { per_mnth: 5 } }), "/rules/0/limits/per_mnth"],
    ["an unknown action path", reviewRule({ conditions: { all: [{ fact: "action", path: "$.typ", operator: "equal", value: "review" }] } }), "/rules/0/conditions/all/0/path"],
    ["a window ending before it starts", reviewRule({ starts_at: "2026-12-01T00:00:00Z", ends_at: "2026-11-01T00:00:00Z" }), "/rules/0/ends_at"],
  ])("%s is reported at its pointer", (_label, bad, pointer) => {
    const issues = compileIssues([ACCRUAL, actionsFile([bad])])
    expect(issues.map((i) => [i.file, i.pointer])).toEqual([["actions.json", pointer]])
    expect(issues[0].line).toBeGreaterThan(1)
  })

  it("rule names are unique across accrual and actions files", () => {
    const issues = compileIssues([ACCRUAL, actionsFile([reviewRule({ name: "base-earn" })])])
    expect(issues[0]).toMatchObject({ file: "actions.json", pointer: "/rules/0/name", message: expect.stringMatching(/duplicate rule name "base-earn"/) })
  })
})

describe("the payload of a reported action", () => {
  it("hashes the same whatever the key order of the properties, and differently for other data", () => {
    const base = { customer_id: "cus_1", type: "review", reference: "r1", occurred_at: null }
    expect(actionPayloadHash({ ...base, properties: { a: 1, b: "x" } })).toBe(actionPayloadHash({ ...base, properties: { b: "x", a: 1 } }))
    expect(actionPayloadHash({ ...base, properties: { a: 1 } })).not.toBe(actionPayloadHash({ ...base, properties: { a: 2 } }))
    expect(actionPayloadHash({ ...base, properties: {} })).not.toBe(actionPayloadHash({ ...base, customer_id: "cus_2", properties: {} }))
  })
})

describe("who earns from an action, replays and signup", () => {
  it("an unknown customer is NOT_FOUND and a guest is ACTION_NOT_ALLOWED; a registered customer passes", () => {
    expect(() => assertActionMember("cus_x", null)).toThrow(expect.objectContaining({ code: "NOT_FOUND" }))
    expect(() => assertActionMember("cus_g", { has_account: false })).toThrow(expect.objectContaining({ code: "ACTION_NOT_ALLOWED" }))
    expect(() => assertActionMember("cus_m", { has_account: true })).not.toThrow()
  })

  it("a replay with the same payload returns the stored action; other data, or no stored action, is IDEMPOTENCY_CONFLICT", () => {
    const stored = { id: "lact_1", payload_hash: "h1" }
    expect(actionReplay(stored, "h1", "action:review:r1")).toBe(stored)
    expect(() => actionReplay(stored, "h2", "action:review:r1")).toThrow(expect.objectContaining({ code: "IDEMPOTENCY_CONFLICT", message: expect.stringContaining("review:r1") }))
    expect(() => actionReplay(null, "h1", "action:review:r1")).toThrow(expect.objectContaining({ code: "IDEMPOTENCY_CONFLICT" }))
  })

  it("signup is reported for a registered customer under auto_enroll with action rules, referenced by the customer id", () => {
    const customer = { id: "cus_1", has_account: true, created_at: "2026-11-29T10:00:00Z" }
    expect(signupAction({ customer, auto_enroll: true, action_rules: 1 })).toEqual({ customer_id: "cus_1", type: "signup", reference: "cus_1", occurred_at: "2026-11-29T10:00:00.000Z" })
    expect(signupAction({ customer: { ...customer, has_account: false }, auto_enroll: true, action_rules: 1 })).toBeNull()
    expect(signupAction({ customer, auto_enroll: false, action_rules: 1 })).toBeNull()
    expect(signupAction({ customer, auto_enroll: true, action_rules: 0 })).toBeNull()
  })
})
