import { accountRowFacts, groupsStayAfterPosting, memberFieldsRead, postingKeepsTier, tierDecidedByAccountRow } from "../../src/domain/program/member-inputs"
import type { TopLevelCondition } from "../../src/domain/rules/condition"

const leaf = (fact: string, path?: string) => ({ fact, ...(path === undefined ? {} : { path }), operator: "greaterThanInclusive" as const, value: 1 })
const tier = (conditions: TopLevelCondition) => ({ code: "t", name: "T", rank: 0, customer_group: "g", conditions })
const promotion = (conditions: TopLevelCondition) => ({ code: "P", name: "P", customer_group: "g", conditions, discount: {} as any, file: "promotions.json" })
const rulebook = (tiers: TopLevelCondition[], promotions: TopLevelCondition[] = []) => ({
  tiers: { file: "tiers.json", downgrade: { policy: "never" as const }, tiers: tiers.map(tier) },
  promotions: promotions.map(promotion),
})

describe("memberFieldsRead: the member fields a condition tree reads", () => {
  it.each([
    ["a leaf's first path segment", { all: [leaf("member", "$.points_lifetime")] }, ["points_lifetime"]],
    ["nested all / any / not groups", { any: [{ not: leaf("member", "$.orders_count") }, { all: [leaf("member", "$.tier")] }] }, ["orders_count", "tier"]],
    ["the whole member fact (no path) as everything", { all: [leaf("member")] }, ["*"]],
    ["other facts not at all", { all: [leaf("order", "$.subtotal")] }, []],
  ] as Array<[string, TopLevelCondition, string[]]>)("reads %s", (_name, condition, fields) => {
    expect([...memberFieldsRead(condition)].sort()).toEqual(fields)
  })
})

describe("tierDecidedByAccountRow: whether a posting can decide the tier from the locked account row", () => {
  const lifetime = { all: [leaf("member", "$.points_lifetime")] }
  it.each([
    ["a ladder on lifetime points, promotions on the tier (the default program)", rulebook([{ all: [] }, lifetime], [{ all: [leaf("member", "$.tier")] }]), true],
    ["no tier ladder and no promotions", { tiers: null, promotions: [] }, true],
    ["a ladder on the 365-day window", rulebook([{ all: [leaf("member", "$.points_last_365d")] }]), false],
    ["a ladder on orders", rulebook([{ all: [leaf("member", "$.orders_count")] }]), false],
    ["a promotion on the balance (it can change without the tier)", rulebook([lifetime], [{ all: [leaf("member", "$.points_balance")] }]), false],
    ["a condition on the whole member fact", rulebook([{ all: [leaf("member")] }]), false],
  ] as Array<[string, any, boolean]>)("%s → %s", (_name, book, decided) => {
    expect(tierDecidedByAccountRow(book)).toBe(decided)
  })
})

describe("groupsStayAfterPosting: whether a posting's group sync would move nothing", () => {
  const lifetime = { all: [leaf("member", "$.points_lifetime")] }
  const byRow = rulebook([{ all: [] }, lifetime], [{ all: [leaf("member", "$.tier")] }])
  const byWindow = rulebook([{ all: [leaf("member", "$.points_last_365d")] }])
  it.each([
    ["the tier stayed, groups follow the tier alone", byRow, false, true],
    ["the tier changed", byRow, true, false],
    ["the tier stayed but the ladder reads the 365-day window (groups may lag)", byWindow, false, false],
  ] as Array<[string, any, boolean, boolean]>)("%s → %s", (_name, book, changed, stay) => {
    expect(groupsStayAfterPosting(book, changed)).toBe(stay)
  })
})

describe("accountRowFacts", () => {
  it("carries the account row's fields, lifetime points as a number (bigint columns arrive as text)", () => {
    expect(accountRowFacts({ customer_id: "cus_1", points_balance: 5, points_lifetime: "1200" as unknown as number, tier: "silver" }))
      .toMatchObject({ customer_id: "cus_1", points_balance: 5, points_lifetime: 1200, tier: "silver", orders_count: 0, group_ids: [] })
  })
})

describe("postingKeepsTier: whether a posting can skip the tier re-evaluation", () => {
  const atLeast = (path: string, value: number) => ({ all: [{ fact: "member", path, operator: "greaterThanInclusive" as const, value }] })
  const step = (code: string, rank: number, conditions: TopLevelCondition) => ({ code, name: code, rank, customer_group: code, conditions })
  const ladder = (downgrade: any, silver: TopLevelCondition = atLeast("$.points_lifetime", 1000)) => ({
    tiers: { file: "tiers.json", downgrade, tiers: [step("bronze", 0, { all: [] }), step("silver", 1, silver)] },
    promotions: [],
  })
  const grace = ladder({ policy: "grace", grace_days: 30 })
  const now = new Date("2026-06-01T00:00:00Z")
  const member = (points_lifetime: number, tier: string | null, tier_below_since: Date | null = null) => ({
    customer_id: "cus_1", points_balance: points_lifetime, points_lifetime, tier, tier_below_since,
  })
  const earned = { correction: false, now }
  it.each([
    ["an earning that stays below the next threshold", true, grace, member(990, "bronze"), earned],
    ["an earning that reaches the next threshold", false, grace, member(1000, "bronze"), earned],
    ["a member who has no tier yet", false, grace, member(10, null), earned],
    ["a member below their tier whose grace period is still running", true, grace, member(900, "silver", new Date("2026-05-20T00:00:00Z")), earned],
    ["a member below their tier whose grace period is over", false, grace, member(900, "silver", new Date("2026-05-01T00:00:00Z")), earned],
    ["a member who falls below their tier (the grace period starts)", false, grace, member(900, "silver"), earned],
    ["a member back above their tier during grace (the mark is cleared)", false, grace, member(1100, "silver", new Date("2026-05-20T00:00:00Z")), earned],
    ["a correction that takes a member below their tier (no grace)", false, grace, member(900, "silver"), { correction: true, now }],
    ["a ladder that reads orders (the row cannot decide)", false, ladder({ policy: "never" }, atLeast("$.orders_count", 3)), member(10, "bronze"), earned],
    ["a rulebook without tiers", true, { tiers: null, promotions: [] }, member(5000, null), earned],
  ] as Array<[string, boolean, any, ReturnType<typeof member>, { correction: boolean; now: Date }]>)("%s → skips: %s", (_name, keeps, book, account, o) => {
    expect(postingKeepsTier(book, account, o)).toBe(keeps)
  })
})
