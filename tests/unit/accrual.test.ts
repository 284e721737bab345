import { evaluateAccrual } from "../../src/domain/program/accrual"
import { compileOk, defaultRulebook, facts, readRepoFile, rule, rulebookOf } from "./support/rule-files"

describe("the default program (rules/accrual.json)", () => {
  const rulebook = defaultRulebook()

  it.each([
    ["a returning member: subtotal 12345 − discount 2345 (shipping, tax excluded)", {}, {}, 100, ["base-earn"]],
    ["a first order adds 100", {}, { orders_count: 0 }, 200, ["base-earn", "first-order-bonus"]],
    ["gold earns ×1.5", {}, { tier: "gold" }, 150, ["base-earn", "gold-multiplier"]],
    ["silver earns ×1.25", {}, { tier: "silver" }, 125, ["base-earn", "silver-multiplier"]],
    ["platinum earns ×2", {}, { tier: "platinum" }, 200, ["base-earn", "platinum-multiplier"]],
    ["gold first order: the bonus is not multiplied", {}, { tier: "gold", orders_count: 0 }, 250, ["base-earn", "first-order-bonus", "gold-multiplier"]],
    ["1999 minor earns 19", { subtotal: 1999, discount_total: 0 }, {}, 19, ["base-earn"]],
    ["gold on 1999 minor: 19 × 1.5 = 28.5 → 28", { subtotal: 1999, discount_total: 0 }, { tier: "gold" }, 28, ["base-earn", "gold-multiplier"]],
    ["silver on 1999 minor: 19 × 1.25 = 23.75 → 23", { subtotal: 1999, discount_total: 0 }, { tier: "silver" }, 23, ["base-earn", "silver-multiplier"]],
    ["a 0-decimal currency: base-earn does not fire", { currency_code: "jpy", currency_decimals: 0 }, {}, 0, []],
    ["a 3-decimal currency: base-earn does not fire", { currency_code: "kwd", currency_decimals: 3 }, {}, 0, []],
    ["a 0-decimal first order still gets the bonus", { currency_code: "jpy", currency_decimals: 0 }, { orders_count: 0 }, 100, ["first-order-bonus"]],
    ["a discount above the subtotal earns 0, not negative", { subtotal: 1000, discount_total: 5000 }, {}, 0, ["base-earn"]],
    ["an unknown tier earns no multiplier", {}, { tier: "bronze" }, 100, ["base-earn"]],
  ])("%s → %i points", async (_label, order, customer, points, rule_names) => {
    const result = evaluateAccrual(rulebook, facts(order, customer))
    expect({ points: result.points, rule_names: result.rule_names }).toEqual({ points, rule_names })
  })

  it("explains a gold first order in full", async () => {
    expect(evaluateAccrual(rulebook, facts({}, { tier: "gold", orders_count: 0 }))).toEqual({
      points: 250,
      amount_points: 100,
      bonus_points: 100,
      multiplier_bp: 15000,
      rule_names: ["base-earn", "first-order-bonus", "gold-multiplier"],
      contributions: [
        { rule: "base-earn", type: "points_per_amount", points: 100 },
        { rule: "gold-multiplier", type: "multiplier", points: 50 },
        { rule: "first-order-bonus", type: "fixed_bonus", points: 100 },
      ],
      basis_minor: 10000,
      rulebook_version: rulebook.version,
    })
  })

  it("gives the same results for concurrent evaluations (one engine per evaluation)", async () => {
    const cases = Array.from({ length: 60 }, (_, i) => facts(
      { subtotal: 1000 + i * 137, discount_total: i * 3 },
      { tier: [null, "silver", "gold", "platinum"][i % 4], orders_count: i % 3 },
    ))
    const sequential = []
    for (const f of cases) sequential.push(evaluateAccrual(rulebook, f))
    const concurrent = await Promise.all(cases.map((f) => evaluateAccrual(rulebook, f)))
    expect(concurrent).toEqual(sequential)
  })
})

describe("seed-003: 10 points per whole currency unit of the order total", () => {
  const rulebook = compileOk([{ name: "accrual.json", text: readRepoFile("examples/rulebooks/seed-003/accrual.json") }])

  it.each([
    [1999, 190],
    [100, 10],
    [99, 0],
    [0, 0],
    [123456, 12340],
  ])("total %i minor → %i points", async (total, points) => {
    const result = evaluateAccrual(rulebook, facts({ total, subtotal: 1, discount_total: 0 }))
    expect(result.points).toBe(points)
  })
})

describe("accrual arithmetic over fired rules", () => {
  const always = { all: [] }
  const ppa = (name: string, params: Record<string, unknown>, priority = 1) => rule({ name, priority, conditions: always, event: { type: "points_per_amount", params } })
  const mult = (name: string, factor: number, priority = 1) => rule({ name, priority, conditions: always, event: { type: "multiplier", params: { factor } } })
  const bonus = (name: string, points: number) => rule({ name, conditions: always, event: { type: "fixed_bonus", params: { points } } })
  const cap = (name: string, max_points: number) => rule({ name, conditions: always, event: { type: "cap", params: { max_points } } })
  const order = { subtotal: 1999, discount_total: 0, total: 2599 }

  it.each([
    ["amount bases: subtotal_minus_discount, subtotal, total", [ppa("a", { points: 1, per_minor: 100 }), ppa("b", { points: 1, per_minor: 100, amount: "subtotal" }), ppa("c", { points: 1, per_minor: 100, amount: "total" })], { subtotal: 1999, discount_total: 999, total: 2599 }, 10 + 19 + 25],
    ["several multipliers compound, rounded once", [ppa("a", { points: 1, per_minor: 100 }), mult("m1", 1.25), mult("m2", 1.25)], order, 29],
    ["a multiplier below 1 reduces amount points", [ppa("a", { points: 1, per_minor: 100 }), mult("half", 0.5)], order, 9],
    ["multipliers do not touch bonuses", [ppa("a", { points: 1, per_minor: 100 }), mult("m", 2), bonus("b", 5)], order, 43],
    ["a cap limits the total", [ppa("a", { points: 1, per_minor: 100 }), bonus("b", 100), cap("c", 50)], order, 50],
    ["the smallest cap wins", [ppa("a", { points: 1, per_minor: 100 }), cap("c1", 15), cap("c2", 10)], order, 10],
    ["a cap of 0 awards nothing", [bonus("b", 100), cap("c", 0)], order, 0],
    ["a cap above the total changes nothing", [bonus("b", 100), cap("c", 1000)], order, 100],
  ])("%s → %i", async (_label, rules, o, points) => {
    const result = evaluateAccrual(rulebookOf(...rules), facts(o))
    expect(result.points).toBe(points)
  })

  it.each([
    [[ppa("a", { points: 1, per_minor: 100 }), mult("m1", 1.25), mult("m2", 1.3333), bonus("b", 7), cap("c", 30)]],
    [[ppa("a", { points: 3, per_minor: 7 }), mult("m1", 1.0001), mult("m2", 2.5)]],
    [[bonus("b", 1), mult("m", 3)]],
  ])("contributions are integers and sum to the points (%#)", async (rules) => {
    const result = evaluateAccrual(rulebookOf(...rules), facts(order))
    expect(result.contributions.every((c) => Number.isInteger(c.points))).toBe(true)
    expect(result.contributions.reduce((sum, c) => sum + c.points, 0)).toBe(result.points)
    expect(result.points).toBeGreaterThanOrEqual(0)
  })

  it("credits each multiplier with the growth of the rounded cumulative product", async () => {
    const result = evaluateAccrual(rulebookOf(ppa("a", { points: 1, per_minor: 100 }), mult("m1", 1.25), mult("m2", 1.25)), facts(order))
    expect(result.contributions).toEqual([
      { rule: "a", type: "points_per_amount", points: 19 },
      { rule: "m1", type: "multiplier", points: 4 },
      { rule: "m2", type: "multiplier", points: 6 },
    ])
    expect(result.multiplier_bp).toBe(15625)
  })

  it("credits only the binding cap, with a negative number", async () => {
    const result = evaluateAccrual(rulebookOf(bonus("b", 100), cap("c1", 40), cap("c2", 60)), facts(order))
    expect(result.contributions).toEqual([
      { rule: "b", type: "fixed_bonus", points: 100 },
      { rule: "c1", type: "cap", points: -60 },
      { rule: "c2", type: "cap", points: 0 },
    ])
  })

  it("orders fired rules by priority descending, then name", async () => {
    const result = evaluateAccrual(rulebookOf(ppa("zeta", { points: 1, per_minor: 100 }, 5), ppa("alpha", { points: 1, per_minor: 100 }, 5), ppa("high", { points: 1, per_minor: 100 }, 9), bonus("low", 1)), facts(order))
    expect(result.rule_names).toEqual(["high", "alpha", "zeta", "low"])
  })

  it("reports basis_minor as subtotal − discount_total, never negative", async () => {
    const rulebook = rulebookOf(bonus("b", 1))
    expect((evaluateAccrual(rulebook, facts({ subtotal: 5000, discount_total: 1234 }))).basis_minor).toBe(3766)
    expect((evaluateAccrual(rulebook, facts({ subtotal: 100, discount_total: 1234 }))).basis_minor).toBe(0)
  })

  it("refuses non-integer money in facts with LEDGER_INVARIANT", () => {
    expect(() => evaluateAccrual(rulebookOf(ppa("a", { points: 1, per_minor: 100 })), facts({ subtotal: 19.99 })))
      .toThrow(expect.objectContaining({ code: "LEDGER_INVARIANT" }))
  })
})
