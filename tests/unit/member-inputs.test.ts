import { accountRowFacts, groupsStayAfterPosting, memberFieldsRead, tierDecidedByAccountRow } from "../../src/domain/program/member-inputs"
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
