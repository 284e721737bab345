import { diffJson, GoldenTestFile, orderFacts, OrderInput, parseJsonInput, runGoldenTest, simulate, SimulationInput } from "../../src/domain/reports/simulation"
import { compileOk, defaultFiles, defaultProgramRulebook, readRepoFile } from "./support/rule-files"

describe("diffJson", () => {
  it.each([
    [{ a: 1 }, { a: 1 }, []],
    [{ a: 1 }, { a: 2 }, [{ pointer: "/a", expected: 1, actual: 2 }]],
    [["x", "y"], ["x"], [{ pointer: "/1", expected: "y", actual: undefined }]],
    [[], ["z"], [{ pointer: "/0", expected: undefined, actual: "z" }]],
    [{ "a/b": null }, { "a/b": "gold" }, [{ pointer: "/a~1b", expected: null, actual: "gold" }]],
    [5, "5", [{ pointer: "/", expected: 5, actual: "5" }]],
  ])("diff(%j, %j)", (expected, actual, diffs) => {
    expect(diffJson(expected, actual)).toEqual(diffs)
  })
})

describe("order fact defaults", () => {
  it("derives items' amounts, subtotal, total and currency decimals", () => {
    const order = orderFacts(OrderInput.parse({ currency_code: "JPY", shipping_total: 500, items: [{ unit_price: 1200, quantity: 2 }] }))
    expect(order).toMatchObject({ subtotal: 2400, total: 2900, currency_decimals: 0, discount_total: 0 })
    expect(order.items[0]).toMatchObject({ subtotal: 2400, total: 2400, tags: [] })
  })

  it("refuses unknown keys with a did-you-mean hint and a position", () => {
    const parsed = parseJsonInput(OrderInput, "order.json", '{\n  "subtotl": 100\n}')
    expect(parsed).toEqual({ ok: false, issues: [expect.objectContaining({ file: "order.json", pointer: "/subtotl", hint: 'did you mean "subtotal"?', line: 2, column: 3 })] })
  })
})

describe("simulate", () => {
  it("a first order of 123.45: 223 points, bronze after it, MEMBER5", async () => {
    const result = await simulate(defaultProgramRulebook(), SimulationInput.parse({ order: { subtotal: 12345, shipping_total: 1000 } }))
    expect(result.accrual.points).toBe(223)
    expect(result.member).toMatchObject({ points_lifetime: 223, orders_count: 1, tier: "bronze" })
    expect(result.promotions).toEqual(["MEMBER5"])
  })

  it("pending points do not count toward the tier", async () => {
    const files = defaultFiles().map((f) => (f.name === "program.json" ? { ...f, text: f.text.replace('"pending_days": 0', '"pending_days": 14') } : f))
    const rulebook = compileOk(files)
    expect(rulebook.program.pending_days).toBe(14)
    const result = await simulate(rulebook, SimulationInput.parse({ order: { subtotal: 10000 }, customer: { orders_count: 1, points_lifetime: 950 } }))
    expect(result).toMatchObject({ pending: true, tier: { code: "bronze" } })
    expect(result.accrual.points).toBe(100)
  })

  it("without a tiers file there is no tier and a null expectation passes", async () => {
    const rulebook = compileOk([{ name: "accrual.json", text: readRepoFile("examples/rulebooks/seed-003/accrual.json") }])
    const test = GoldenTestFile.parse({ order: { total: 1999 }, expect: { points: 190, tier: null, promotions: [] } })
    expect((await runGoldenTest(rulebook, test)).diffs).toEqual([])
  })
})
