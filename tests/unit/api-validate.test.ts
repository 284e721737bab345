import { NoQuery, PageQuery, parseInput } from "../../src/api/_shared/validate"
import { SimulationInput } from "../../src/domain/reports/simulation"

const problemOf = (fn: () => unknown): string => {
  try {
    fn()
  } catch (e) {
    return (e as Error).message
  }
  throw new Error("expected a refusal")
}

describe("request validation (src/api/_shared/validate.ts)", () => {
  it.each([
    [{ limit: "20", offset: "0" }, { limit: 20, offset: 0 }],
    [{ limit: "007" }, { limit: 7, offset: 0 }],
    [{}, { limit: 20, offset: 0 }],
  ])("reads decimal page numbers %j as %j", (query, expected) => {
    expect(parseInput(PageQuery, query, "query")).toEqual(expected)
  })

  it.each([
    [{ limit: "0x10" }, "query.limit"],
    [{ limit: "1e1" }, "query.limit"],
    [{ limit: " 7" }, "query.limit"],
    [{ limit: "" }, "query.limit"],
    [{ limit: ["5"] }, "query.limit"],
    [{ offset: "-1" }, "query.offset"],
    [{ offset: "99999999999999999999" }, "query.offset"],
    [{ limit: "101" }, "query.limit"],
  ])("refuses %j naming %s (no hex, exponent, blanks, arrays or out-of-range numbers)", (query, field) => {
    expect(problemOf(() => parseInput(PageQuery, query, "query"))).toContain(field)
  })

  it("names an unknown key in plain words, without the domain schemas' internal marker", () => {
    const message = problemOf(() => parseInput(SimulationInput, { order: {}, bogus: 1 }, "body"))
    expect(message).toContain("unknown key 'bogus'")
    expect(message).toContain("allowed: ")
    expect(message).not.toMatch(/\u0000|allowed-keys/)
    expect(problemOf(() => parseInput(NoQuery, { limit: "1" }, "query"))).toBe("Invalid request: query.limit: unknown key 'limit'")
  })
})
