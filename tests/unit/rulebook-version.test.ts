import { accrualFile, compileOk, readRepoFile, rule } from "./support/rule-files"

const versionOf = (text: string, name = "accrual.json") => compileOk([{ name, text }]).version
const base = readRepoFile("rules/accrual.json")
const baseData = JSON.parse(base)

describe("rulebook version: sha256 of the canonical JSON of all files", () => {
  it("is a 64-character lower-case hex digest", () => {
    expect(versionOf(base)).toMatch(/^[0-9a-f]{64}$/)
  })

  it.each([
    ["minified", JSON.stringify(baseData)],
    ["re-indented", JSON.stringify(baseData, null, 4)],
    ["keys reordered", JSON.stringify(Object.fromEntries(Object.entries(baseData).reverse()))],
    ["a different $schema", JSON.stringify({ ...baseData, $schema: "https://example.com/other.json" })],
    ["no $schema", JSON.stringify({ ...baseData, $schema: undefined })],
    ["an explicit default priority", JSON.stringify({ ...baseData, rules: baseData.rules.map((r: object) => ({ ...r, priority: 1 })) })],
  ])("is unchanged when the file is %s", (_label, text) => {
    expect(versionOf(text)).toBe(versionOf(base))
  })

  it.each([
    ["a changed points value", base.replace("\"points\": 100", "\"points\": 101")],
    ["a changed multiplier", base.replace("\"factor\": 1.5", "\"factor\": 1.6")],
    ["a changed description", base.replace("Default program", "Default programme")],
    ["a removed rule", JSON.stringify({ ...baseData, rules: baseData.rules.slice(1) })],
  ])("changes with %s", (_label, text) => {
    expect(versionOf(text)).not.toBe(versionOf(base))
  })

  it("changes with the file name", () => {
    expect(versionOf(base, "earn.json")).not.toBe(versionOf(base))
  })

  it("is frozen data", () => {
    const rulebook = compileOk([{ name: "accrual.json", text: accrualFile([rule()]) }])
    expect(Object.isFrozen(rulebook)).toBe(true)
    expect(Object.isFrozen(rulebook.accrual[0].event)).toBe(true)
    expect(Object.isFrozen(rulebook.accrual[0].conditions)).toBe(true)
  })

  it("applies defaults: priority 1 and amount subtotal_minus_discount", () => {
    const [def] = compileOk([{ name: "accrual.json", text: accrualFile([rule()]) }]).accrual
    expect(def).toEqual(expect.objectContaining({ priority: 1, file: "accrual.json", event: { type: "points_per_amount", params: { points: 1, per_minor: 100, amount: "subtotal_minus_discount" } } }))
  })
})
