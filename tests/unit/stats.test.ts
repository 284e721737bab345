import { EntryKinds } from "../../src/domain/ledger/ledger"
import { ACTIVITY_BUCKET_OF_KIND, ACTIVITY_BUCKETS, addDays, kindsOfBucket, resolveActivityRange, tierMembers, topMovers } from "../../src/domain/reports/stats"
import { compileOk, defaultFiles } from "./support/rule-files"

describe("activity buckets", () => {
  it("puts every ledger kind in exactly one bucket", () => {
    expect(Object.keys(ACTIVITY_BUCKET_OF_KIND).sort()).toEqual([...EntryKinds].sort())
    expect(ACTIVITY_BUCKETS.flatMap(kindsOfBucket).sort()).toEqual([...EntryKinds].sort())
  })

  it.each([
    ["issued", ["accrual", "activation", "action"]],
    ["redeemed", ["redemption", "redemption_void"]],
    ["expired", ["expiry"]],
    ["clawed_back", ["clawback", "reversal"]],
    ["adjusted", ["adjustment"]],
  ] as const)("sums %s from %j", (bucket, kinds) => {
    expect(kindsOfBucket(bucket)).toEqual(kinds)
  })
})

describe("resolveActivityRange", () => {
  const today = "2026-03-01"
  it.each([
    ["no bounds: the 30 days ending today", {}, { from: "2026-01-31", to: "2026-03-01", days: 30 }],
    ["only to: the 30 days ending there", { to: "2025-03-01" }, { from: "2025-01-31", to: "2025-03-01", days: 30 }],
    ["only from: up to today", { from: "2026-02-27" }, { from: "2026-02-27", to: "2026-03-01", days: 3 }],
    ["one day", { from: "2025-06-01", to: "2025-06-01" }, { from: "2025-06-01", to: "2025-06-01", days: 1 }],
    ["a leap year's 366 days", { from: "2024-01-01", to: "2024-12-31" }, { from: "2024-01-01", to: "2024-12-31", days: 366 }],
  ])("%s", (_, input, expected) => {
    expect(resolveActivityRange(input, today)).toEqual(expected)
  })

  it.each([
    ["from after to", { from: "2025-01-02", to: "2025-01-01" }, "query.from: must not be after to"],
    ["367 days", { from: "2024-01-01", to: "2025-01-01" }, "spans 367 days, at most 366"],
    ["only from, years ago", { from: "2020-01-01" }, "at most 366"],
  ])("refuses %s with INVALID_INPUT", (_, input, message) => {
    expect(() => resolveActivityRange(input, today)).toThrow(expect.objectContaining({ code: "INVALID_INPUT", message: expect.stringContaining(message) }))
  })

  it("moves dates by UTC calendar days across months and leap days", () => {
    expect([addDays("2024-02-28", 1), addDays("2024-03-01", -1), addDays("2025-01-01", -1)]).toEqual(["2024-02-29", "2024-02-29", "2024-12-31"])
  })
})

describe("tierMembers", () => {
  const ladder = compileOk(defaultFiles()).tiers

  it("lists the ladder by rank with zeros, then codes no longer in it, then members without a tier", () => {
    const counts = new Map<string | null, number>([["gold", 2], [null, 3], ["diamond", 1], ["bronze", 5], ["amber", 4]])
    expect(tierMembers(ladder, counts)).toEqual([
      { code: "bronze", name: "Bronze", members: 5 },
      { code: "silver", name: "Silver", members: 0 },
      { code: "gold", name: "Gold", members: 2 },
      { code: "platinum", name: "Platinum", members: 0 },
      { code: "amber", name: "amber", members: 4 },
      { code: "diamond", name: "diamond", members: 1 },
      { code: "none", name: "No tier", members: 3 },
    ])
  })

  it("leaves out `none` when every account has a tier, and names codes by themselves without a ladder", () => {
    expect(tierMembers(ladder, new Map([["bronze", 1]])).map((t) => t.code)).toEqual(["bronze", "silver", "gold", "platinum"])
    expect(tierMembers(null, new Map<string | null, number>([["gold", 1], [null, 2]]))).toEqual([
      { code: "gold", name: "gold", members: 1 },
      { code: "none", name: "No tier", members: 2 },
    ])
  })
})

describe("topMovers", () => {
  const m = (customer_id: string, delta: number) => ({ customer_id, delta })
  it("gives the biggest gainers, then the biggest losers, n of each, ties by customer id, no zero deltas", () => {
    const rows = [m("a", 5), m("b", -7), m("c", 0), m("d", 9), m("e", 5), m("f", -1), m("g", 1), m("h", -7)]
    expect(topMovers(rows, 2)).toEqual([m("d", 9), m("a", 5), m("b", -7), m("h", -7)])
    expect(topMovers(rows, 10).map((r) => r.customer_id)).toEqual(["d", "a", "e", "g", "b", "h", "f"])
    expect(topMovers([], 10)).toEqual([])
  })
})
