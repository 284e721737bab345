import { eligiblePromotions, promotionDefinitionHash, promotionGroupMoves } from "../../src/domain/program/promotions"
import { accrualFile, compileOk, defaultProgramRulebook, member, memberWhen, promotion, promotionsFile, rule } from "./support/rule-files"

const rulebook = defaultProgramRulebook()
const codesFor = async (facts: Parameters<typeof member>[0], book = rulebook) => (eligiblePromotions(book, member(facts))).map((p) => p.code)

describe("eligiblePromotions on the default program: MEMBER5 for every member, one tier code for exactly that tier", () => {
  it.each([
    ["bronze", ["MEMBER5"]],
    ["silver", ["MEMBER5", "SILVER10"]],
    ["gold", ["MEMBER5", "GOLD15"]],
    ["platinum", ["MEMBER5", "PLATINUM20"]],
    [null, []],
  ])("a %s member is eligible for %j", async (tier, expected) => {
    expect(await codesFor({ tier, points_lifetime: 50_000 })).toEqual(expected)
  })

  it("returns each promotion's discount as data for the service to reconcile", async () => {
    const [, gold] = eligiblePromotions(rulebook, member({ tier: "gold" }))
    expect(gold).toEqual(expect.objectContaining({ code: "GOLD15", customer_group: "Loyalty promotion: GOLD15", discount: { type: "percentage", value: 15, allocation: "total" }, file: "promotions.json" }))
  })

  it("gives the same lists to concurrent evaluations (a fresh engine each)", async () => {
    const tiers = ["platinum", "bronze", "gold", "silver"]
    const lists = await Promise.all(tiers.map((tier) => codesFor({ tier })))
    expect(lists).toEqual([["MEMBER5", "PLATINUM20"], ["MEMBER5"], ["MEMBER5", "GOLD15"], ["MEMBER5", "SILVER10"]])
  })
})

describe("eligiblePromotions on other member facts", () => {
  const book = compileOk([
    { name: "accrual.json", text: accrualFile([rule()]) },
    {
      name: "promotions.json",
      text: promotionsFile([
        promotion({ code: "WELCOME", conditions: memberWhen("$.orders_count", "equal", 0) }),
        promotion({ code: "BIGSPENDER", conditions: memberWhen("$.spend_last_365d_minor", "greaterThanInclusive", 100_000) }),
        promotion({ code: "VIP", conditions: { all: [{ fact: "member", path: "$.group_ids", operator: "contains", value: "cgrp_vip" }] } }),
      ]),
    },
  ])

  it.each([
    ["a new member", { orders_count: 0 }, ["WELCOME"]],
    ["a returning member below the spend", { orders_count: 3, spend_last_365d_minor: 99_999 }, []],
    ["a big spender in the VIP group", { orders_count: 3, spend_last_365d_minor: 100_000, group_ids: ["cgrp_vip"] }, ["BIGSPENDER", "VIP"]],
  ])("%s is eligible for %j (in declaration order)", async (_label, facts, expected) => {
    expect(await codesFor(facts, book)).toEqual(expected)
  })

  it("returns nothing for a rulebook without promotions", async () => {
    expect(await codesFor({ tier: "gold" }, compileOk([{ name: "accrual.json", text: accrualFile([rule()]) }]))).toEqual([])
  })
})

describe("promotionGroupMoves: a member in the groups of the tracked promotions they qualify for, out of the others", () => {
  const tracked = [
    { code: "MEMBER5", customer_group_id: "g_member5", disabled_at: null },
    { code: "SILVER10", customer_group_id: "g_silver10", disabled_at: null },
    { code: "GOLD15", customer_group_id: "g_gold15", disabled_at: new Date("2026-11-01T00:00:00Z") },
  ]
  it.each([
    ["a silver member joins MEMBER5 and SILVER10", "silver", [], ["g_member5", "g_silver10"], [], ["MEMBER5", "SILVER10"]],
    ["a member already in place moves nothing", "silver", ["g_member5", "g_silver10", "vip"], [], [], ["MEMBER5", "SILVER10"]],
    ["a bronze member leaves SILVER10's group", "bronze", ["g_member5", "g_silver10"], [], ["g_silver10"], ["MEMBER5"]],
    ["a disabled promotion's group is left, an untracked code is ignored", "gold", ["g_gold15"], ["g_member5"], ["g_gold15"], ["MEMBER5"]],
  ] as const)("%s", (_case, tier, current, added, removed, eligible) => {
    const moves = promotionGroupMoves({ rulebook, member: member({ tier }), tracked, current_group_ids: current })
    expect(moves).toEqual({ added, removed, eligible })
  })

  it("keeps a group shared by two promotions while one of them wants the member", () => {
    const shared = [
      { code: "MEMBER5", customer_group_id: "g_shared", disabled_at: null },
      { code: "SILVER10", customer_group_id: "g_shared", disabled_at: null },
    ]
    expect(promotionGroupMoves({ rulebook, member: member({ tier: "bronze" }), tracked: shared, current_group_ids: ["g_shared"] })).toEqual({ added: [], removed: [], eligible: ["MEMBER5"] })
  })
})

describe("promotionDefinitionHash", () => {
  it("changes with the definition, not with the file it came from", () => {
    const [def] = rulebook.promotions
    expect(promotionDefinitionHash({ ...def, file: "other.json" })).toBe(promotionDefinitionHash(def))
    expect(promotionDefinitionHash({ ...def, name: `${def.name}!` })).not.toBe(promotionDefinitionHash(def))
  })
})
