import fs from "fs"

/** The v1 → v2 parity table (docs/v2-parity.md) stays exact: a row for every v1 integration test, real v2 tests in its cells. */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { parityProblems, renderParity, DOC } = require("../../scripts/lib/parity")

describe("the v1 → v2 test parity table", () => {
  it("has a row for every v1 integration test, and every v2 cell names a test that exists", () => {
    expect(parityProblems()).toEqual([])
  })

  it("reports a v1 test without a row and a cell naming a v2 test that does not exist", () => {
    const problems: string[] = parityProblems({
      "accrual.test.ts": { "a behaviour nobody tests": "http/loyalty.spec.ts › a test nobody wrote" },
    })
    expect(problems).toContainEqual(expect.stringContaining('"opens an account with zero points when a customer registers" has no row'))
    expect(problems).toContainEqual(expect.stringContaining('has no test named "a test nobody wrote"'))
    expect(problems).toContainEqual(expect.stringContaining('the row "a behaviour nobody tests" names no test'))
  })

  it("is committed as generated: docs/v2-parity.md equals a fresh rendering (node scripts/parity.js)", () => {
    expect(fs.readFileSync(DOC, "utf8")).toBe(renderParity())
  })
})
