import { aggregateBacktest, backtestActions, memberDeltas, runBacktest, type BacktestAction, type BacktestEntry, type BacktestMember, type BacktestOrder } from "../../src/domain/reports/backtest"
import type { AccrualFacts, MemberFacts } from "../../src/domain/rules/facts"
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
    expect(ds).toEqual([{ customer_id: "a", orders: 2, actions: 0, points_now: 20, points_candidate: 60, delta: 40, window_delta: 30 }])
  })
})

describe("backtestActions", () => {
  const campaigns = (review: Record<string, unknown>) =>
    compileOk([
      { name: "program.json", text: readRepoFile("examples/rulebooks/campaigns/program.json") },
      { name: "accrual.json", text: readRepoFile("examples/rulebooks/campaigns/accrual.json") },
      { name: "actions.json", text: JSON.stringify({ kind: "actions", rules: [{
        name: "review", conditions: { all: [{ fact: "action", path: "$.type", operator: "equal", value: "review" }] },
        event: { type: "award_points", params: { points: 50 } }, ...review,
      }] }) },
    ])
  const memberFacts = (customer_id: string): MemberFacts => ({
    customer_id, points_lifetime: 0, points_balance: 0, tier: null, orders_count: 0, points_last_365d: 0, spend_last_365d_minor: 0, group_ids: [], created_at: "2024-01-01T00:00:00.000Z",
  })
  let n = 0
  /** A review recorded for `customer_id` at `occurred_at` that earned `earned` live under "review". */
  const review = (customer_id: string, occurred_at: string, earned = 50, type = "review"): BacktestAction => ({
    action_id: `lact_${String(++n).padStart(3, "0")}`, customer_id, type, reference: `r${n}`, occurred_at, properties: {}, earned,
    rule_names: earned > 0 ? ["review"] : [], member: memberFacts(customer_id), in_window: true,
  })
  type Case = [string, Record<string, unknown>, () => BacktestAction[], Record<string, Array<[string, number]>>, number, Array<[string, number]>?]
  const cases: Case[] = [
    ["a review rule giving 80 instead of 50 moves every review by +30", { event: { type: "award_points", params: { points: 80 } } },
      () => [review("a", "2026-11-02T15:00:00Z"), review("a", "2026-11-03T15:00:00Z"), review("b", "2026-11-04T15:00:00Z")],
      { a: [["review", 80], ["review", 80]], b: [["review", 80]] }, 90],
    ["a monthly limit of 2 refuses the third review of the month (store time), counted in occurred order", { limits: { per_month: 2 } },
      // Given newest first; Dec 1 03:00Z is still Nov 30 in New York.
      () => [review("a", "2026-12-01T03:00:00Z"), review("a", "2026-11-20T15:00:00Z"), review("a", "2026-11-10T15:00:00Z"), review("a", "2026-12-02T15:00:00Z")],
      { a: [["review", 50], ["review", 50], ["", 0], ["review", 50]] }, -50],
    ["a lifetime limit counts the member's recorded awards outside the window", { limits: { lifetime: 2 } },
      () => [review("a", "2026-11-10T15:00:00Z"), review("a", "2026-11-11T15:00:00Z")],
      { a: [["review", 50], ["", 0]] }, -50, [["a", 1]]],
    ["an action no candidate rule applies to earns nothing (a signup that earned 100)", {},
      () => [review("a", "2026-11-10T15:00:00Z", 100, "signup")],
      { a: [["", 0]] }, -100],
  ]
  it.each(cases)("%s", (_name, rule, actions, expected, liability, prior = []) => {
    const rulebook = campaigns(rule)
    const priorMap = new Map(prior.map(([c, k]) => [c, Array.from({ length: k }, () => ({ occurred_at: "2025-06-01T00:00:00.000Z", rule_names: ["review"] }))]))
    const input = actions()
    const { results, skipped } = backtestActions(rulebook, input, new Map(), priorMap)
    expect(skipped).toEqual([])
    const got: Record<string, Array<[string, number]>> = {}
    for (const r of results) (got[r.customer_id] ??= []).push([r.rule_names_candidate.join(","), r.candidate])
    expect(got).toEqual(expected)
    for (const r of results) expect(r.delta).toBe(r.candidate - r.earned)
    const agg = aggregateBacktest(rulebook.version, [], [], new Map(), new Map(), results)
    expect(agg.totals).toMatchObject({ actions_evaluated: input.length, liability_delta: liability, action_points_candidate: results.reduce((s, r) => s + r.candidate, 0) })
    expect(agg.totals.points_candidate - agg.totals.points_now).toBe(liability)
  })

  it("an action without stored member facts uses the member's facts now, and is skipped when there are none", () => {
    const rulebook = campaigns({})
    const a = { ...review("a", "2026-11-10T15:00:00Z"), member: null }
    const b = { ...review("b", "2026-11-10T15:00:00Z"), member: null }
    const { results, skipped } = backtestActions(rulebook, [a, b], new Map([["a", memberFacts("a")]]))
    expect(results.map((r) => [r.customer_id, r.candidate])).toEqual([["a", 50]])
    expect(skipped).toEqual([expect.objectContaining({ action_id: b.action_id, customer_id: "b" })])
  })

  it("runBacktest adds the actions to the member rows and the liability delta next to the orders", async () => {
    const rulebook = campaigns({ event: { type: "award_points", params: { points: 80 } } })
    const members: BacktestMember[] = [{ customer_id: "a", email: null, tier: null, facts: memberFacts("a") }]
    const r = await runBacktest(rulebook, [], members, undefined, [review("a", "2026-11-02T15:00:00Z"), review("a", "2026-11-03T15:00:00Z", 0, "signup")])
    expect(r.members).toEqual([expect.objectContaining({ customer_id: "a", orders: 0, actions: 1, points_now: 50, points_candidate: 80, delta: 30 })])
    expect(r.totals).toMatchObject({ actions_evaluated: 2, actions_changed: 1, action_points_now: 50, action_points_candidate: 80, liability_delta: 30, members: 1 })
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
