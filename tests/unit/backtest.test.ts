import { aggregateBacktest, memberDeltas, runBacktest, type BacktestEntry, type BacktestMember, type BacktestOrder } from "../../src/domain/backtest"
import type { AccrualFacts, MemberFacts } from "../../src/domain/facts"
import { compileOk, defaultFiles, facts as factsOf, readRepoFile } from "./support/rule-files"

const order = (customer_id: string, earned: number, candidate: number, entry_id = `${customer_id}-${earned}-${candidate}`): BacktestOrder => ({
  entry_id,
  order_id: `order_${entry_id}`,
  customer_id,
  created_at: "2025-01-01T00:00:00.000Z",
  earned,
  candidate,
  delta: candidate - earned,
  rule_names_now: [],
  rule_names_candidate: [],
})

describe("aggregateBacktest", () => {
  type Case = [
    string,
    BacktestOrder[],
    Record<string, string | null>, // tier now
    Record<string, string | null>, // candidate tiers (missing: unchanged)
    { liability_delta: number; orders_changed: number; members_changing_tier: number; tier_moves: Array<{ from: string | null; to: string | null; count: number }> },
    Array<[string, number, number, number]>, // members: id, now, candidate, delta in report order
  ]
  const cases: Case[] = [
    ["no orders", [], {}, {}, { liability_delta: 0, orders_changed: 0, members_changing_tier: 0, tier_moves: [] }, []],
    [
      "same points: no delta, no tier change",
      [order("a", 100, 100), order("b", 50, 50)],
      { a: "bronze", b: "bronze" },
      {},
      { liability_delta: 0, orders_changed: 0, members_changing_tier: 0, tier_moves: [] },
      [["a", 100, 100, 0], ["b", 50, 50, 0]],
    ],
    [
      "sums per member, sorted by |delta| then id",
      [order("a", 100, 120), order("a", 10, 0), order("b", 200, 150), order("c", 5, 8)],
      { a: "bronze", b: "silver", c: null },
      { b: "bronze" },
      { liability_delta: 10 - 50 + 3, orders_changed: 4, members_changing_tier: 1, tier_moves: [{ from: "silver", to: "bronze", count: 1 }] },
      [["b", 200, 150, -50], ["a", 110, 120, 10], ["c", 5, 8, 3]],
    ],
    [
      "tier moves grouped and counted",
      [order("a", 0, 5000), order("b", 0, 5000), order("c", 0, 1)],
      { a: "silver", b: "silver", c: null },
      { a: "gold", b: "gold", c: "bronze" },
      { liability_delta: 10001, orders_changed: 3, members_changing_tier: 3, tier_moves: [{ from: "silver", to: "gold", count: 2 }, { from: null, to: "bronze", count: 1 }] },
      [["a", 0, 5000, 5000], ["b", 0, 5000, 5000], ["c", 0, 1, 1]],
    ],
  ]

  it.each(cases)("%s", (_name, orders, tierNow, candidateTiers, totals, members) => {
    const memberMap = new Map(Object.entries(tierNow).map(([id, tier]) => [id, { email: `${id}@example.com`, tier }]))
    const r = aggregateBacktest("v1", orders, [], memberMap, new Map(Object.entries(candidateTiers)))
    expect(r.totals).toMatchObject({ ...totals, orders_evaluated: orders.length, skipped: 0, members: members.length })
    expect(r.totals.points_candidate - r.totals.points_now).toBe(r.totals.liability_delta)
    expect(r.members.map((m) => [m.customer_id, m.points_now, m.points_candidate, m.delta])).toEqual(members)
    for (const m of r.members) expect(m.tier_candidate).toBe(m.customer_id in candidateTiers ? candidateTiers[m.customer_id] : tierNow[m.customer_id])
  })
})

describe("memberDeltas", () => {
  it("splits the window part of the delta", () => {
    const ds = memberDeltas([order("a", 10, 20, "e1"), order("a", 10, 40, "e2")], (id) => id === "e2")
    expect(ds).toEqual([{ customer_id: "a", orders: 2, points_now: 20, points_candidate: 60, delta: 40, window_delta: 30 }])
  })
})

describe("runBacktest", () => {
  const facts = (total: number, customer_id = "cus_a"): AccrualFacts =>
    factsOf({ id: `order_${total}`, subtotal: total, total, discount_total: 0, shipping_total: 0, tax_total: 0 }, { id: customer_id, orders_count: 3 })
  const entry = (id: string, customer_id: string, earned: number, f: AccrualFacts | null): BacktestEntry => ({
    entry_id: id, customer_id, order_id: f?.order.id ?? null, created_at: "2025-01-01T00:00:00.000Z", earned, rule_names: [], facts: f, in_window: true,
  })
  const member = (customer_id: string, tier: string | null, points_lifetime: number): BacktestMember => ({
    customer_id,
    email: null,
    tier,
    facts: { customer_id, points_lifetime, points_balance: points_lifetime, tier, orders_count: 1, points_last_365d: points_lifetime, spend_last_365d_minor: 0, group_ids: [], created_at: "2024-01-01T00:00:00.000Z" } as MemberFacts,
  })
  const seed003 = () => compileOk([{ name: "accrual.json", text: readRepoFile("examples/rulebooks/seed-003/accrual.json") }])

  it.each([
    [1999, 190],
    [12345, 1230],
    [99, 0],
  ])("seed-003: an order of total %i earns int(total) * 10 = %i", async (total, points) => {
    const r = await runBacktest(seed003(), [entry("e1", "cus_a", 7, facts(total))], [member("cus_a", null, 7)])
    expect(r.orders[0]).toMatchObject({ earned: 7, candidate: points, delta: points - 7 })
    expect(r.members[0]).toMatchObject({ points_now: 7, points_candidate: points, delta: points - 7, tier_now: null, tier_candidate: null })
  })

  it("skips entries without facts and reports progress for every entry", async () => {
    const progress: Array<[number, number]> = []
    const r = await runBacktest(seed003(), [entry("e1", "cus_a", 10, facts(1000)), entry("e2", "cus_b", 5, null)], [], (d, t) => progress.push([d, t]))
    expect(r.totals).toMatchObject({ orders_evaluated: 1, skipped: 1, liability_delta: 90 })
    expect(r.skipped).toEqual([expect.objectContaining({ entry_id: "e2", customer_id: "cus_b" })])
    expect(progress).toEqual([[1, 2], [2, 2]])
  })

  it("candidate tiers from lifetime points moved by the delta (default program's tiers)", async () => {
    const rulebook = compileOk(defaultFiles())
    // Earned 0 on a 6,000.00 order; the default program gives far more, lifting a bronze member with 0 points.
    const r = await runBacktest(rulebook, [entry("e1", "cus_a", 0, facts(600000))], [member("cus_a", "bronze", 0)])
    expect(r.members[0].delta).toBeGreaterThan(5000)
    expect(r.members[0]).toMatchObject({ tier_now: "bronze", tier_candidate: "gold" })
    expect(r.totals.tier_moves).toEqual([{ from: "bronze", to: "gold", count: 1 }])
  })
})
