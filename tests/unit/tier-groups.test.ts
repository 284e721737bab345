import { tierGroupMoves } from "../../src/domain/program/tier-groups"

const LADDER = ["g_bronze", "g_silver", "g_gold"]

describe("tierGroupMoves: in the tier's group, out of the ladder's others, nothing else touched", () => {
  it.each([
    ["a new member joins their tier's group", [], "g_bronze", [], ["g_bronze"], ["g_bronze"]],
    ["an upgrade leaves the old tier's group", ["g_bronze"], "g_silver", ["g_bronze"], ["g_silver"], ["g_silver"]],
    ["a member in the right group is left alone", ["vip", "g_gold"], "g_gold", [], [], ["vip", "g_gold"]],
    ["a member in several ladder groups keeps only the right one", ["g_bronze", "g_gold", "vip"], "g_gold", ["g_bronze"], [], ["g_gold", "vip"]],
    ["a member without a tier leaves every ladder group", ["g_silver", "vip"], null, ["g_silver"], [], ["vip"]],
  ] as const)("%s", (_case, current, target, removed, added, after) => {
    const moves = tierGroupMoves({ current, ladder_group_ids: LADDER, target })
    expect(moves).toEqual({ removed, added, after })
  })

  it("changes nothing when applied a second time", () => {
    const first = tierGroupMoves({ current: ["g_bronze", "vip"], ladder_group_ids: LADDER, target: "g_gold" })
    expect(tierGroupMoves({ current: first.after, ladder_group_ids: LADDER, target: "g_gold" })).toEqual({ added: [], removed: [], after: first.after })
  })
})
