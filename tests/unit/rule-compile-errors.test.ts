import { compileRulebook } from "../../src/domain/rules/rulebook"
import { MAX_CONDITION_DEPTH } from "../../src/domain/rules/condition"
import { accrualFile, compileIssues, rule } from "./support/rule-files"

const FILE = "accrual.json"
const issuesOf = (text: string) => compileIssues([{ name: FILE, text }])
const leaf = (overrides: Record<string, unknown>) => ({ fact: "order", path: "$.subtotal", operator: "greaterThan", value: 0, ...overrides })
const withLeaf = (overrides: Record<string, unknown>) => accrualFile([rule({ conditions: { all: [leaf(overrides)] } })])

describe("compileRulebook reports each problem with file, JSON pointer and a human message", () => {
  it.each([
    ["an unknown key in a rule", accrualFile([rule({ conditon: {} })]), "/rules/0/conditon", /unknown key "conditon"/, /did you mean "conditions"/],
    ["an unknown key at the top", accrualFile([rule()], { rulez: [] }), "/rulez", /unknown key "rulez" at the top of the file/, /did you mean "rules"/],
    ["an unknown key in event params", accrualFile([rule({ event: { type: "fixed_bonus", params: { points: 5, pionts: 1 } } })]), "/rules/0/event/params/pionts", /unknown key "pionts"/, /did you mean "points"/],
    ["an unknown key in a condition", withLeaf({ params: { x: 1 } }), "/rules/0/conditions/all/0/params", /unknown key "params"/, /allowed keys: fact, path, operator, value, name, priority/],
    ["an unknown fact", withLeaf({ fact: "ordr" }), "/rules/0/conditions/all/0/fact", /unknown fact "ordr"/, /did you mean "order"/],
    ["an unknown path", withLeaf({ path: "$.subtotl" }), "/rules/0/conditions/all/0/path", /unknown field 'subtotl'/, /did you mean '\$\.subtotal'/],
    ["an unknown line item path", withLeaf({ path: "$.items[2].skuu", operator: "equal", value: "A" }), "/rules/0/conditions/all/0/path", /unknown line item field 'skuu'/, /did you mean '\$\.items\[2\]\.sku'/],
    ["a path without $", withLeaf({ path: "subtotal" }), "/rules/0/conditions/all/0/path", /path 'subtotal' is not supported/, /did you mean '\$\.subtotal'/],
    ["a missing path on an object fact", withLeaf({ path: undefined }), "/rules/0/conditions/all/0", /needs a "path"/, /\$\.subtotal/],
    ["an unknown operator", withLeaf({ operator: "greaterThen" }), "/rules/0/conditions/all/0/operator", /unknown operator 'greaterThen', did you mean 'greaterThan'\?/, /operators: equal/],
    ["an unknown event type", accrualFile([rule({ event: { type: "bonus", params: {} } })]), "/rules/0/event/type", /unknown event type "bonus"; valid types: "points_per_amount", "fixed_bonus", "multiplier", "cap"/, undefined],
    ["a misspelled event type", accrualFile([rule({ event: { type: "fixed-bonus", params: { points: 1 } } })]), "/rules/0/event/type", /unknown event type "fixed-bonus"/, /did you mean "fixed_bonus"/],
    ["a string for a number value", withLeaf({ value: "5" }), "/rules/0/conditions/all/0/value", /needs a number value, got "5"/, /write 5 without quotes/],
    ["a number for a string path", withLeaf({ path: "$.currency_code", operator: "equal", value: 840 }), "/rules/0/conditions/all/0/value", /'\$\.currency_code' is a string; the value 840 is a number and can never match/, /write it in quotes/],
    ["null for a non-nullable path", withLeaf({ operator: "equal", value: null }), "/rules/0/conditions/all/0/value", /'\$\.subtotal' is never null/, undefined],
    ["a non-list value for in", withLeaf({ path: "$.tier", fact: "customer", operator: "in", value: "gold" }), "/rules/0/conditions/all/0/value", /'in' needs a list value/, /wrap it: \["gold"\]/],
    ["contains on a scalar path", withLeaf({ path: "$.currency_code", operator: "contains", value: "usd" }), "/rules/0/conditions/all/0/operator", /'contains' needs a list path/, /'equal'/],
    ["equal on a list path", withLeaf({ fact: "customer", path: "$.group_ids", operator: "equal", value: "vip" }), "/rules/0/conditions/all/0/operator", /yields a list of strings; 'equal' cannot test a list/, /contains/],
    ["a numeric operator on a per-item path", withLeaf({ path: "$.items[*].subtotal", operator: "greaterThan", value: 100 }), "/rules/0/conditions/all/0/operator", /one per line item/, /\$\.items\[0\]\.subtotal/],
    ["an object value (fact comparison)", withLeaf({ value: { fact: "customer", path: "$.points_balance" } }), "/rules/0/conditions/all/0/value", /comparing with another fact is not supported/, undefined],
    ["a leaf at the top of conditions", accrualFile([rule({ conditions: leaf({}) })]), "/rules/0/conditions", /must start with a group/, /wrap the condition/],
    ["two groups in one node", accrualFile([rule({ conditions: { all: [], any: [] } })]), "/rules/0/conditions", /exactly one of "all", "any", "not"/, /nest them/],
    ["an empty any", accrualFile([rule({ conditions: { any: [] } })]), "/rules/0/conditions/any", /empty 'any' is ambiguous: json-rules-engine counts it as true/, undefined],
    ["a bad rule name", accrualFile([rule({ name: "Base Earn" })]), "/rules/0/name", /lower-case letters/, undefined],
    ["a zero per_minor", accrualFile([rule({ event: { type: "points_per_amount", params: { points: 1, per_minor: 0 } } })]), "/rules/0/event/params/per_minor", /must be at least 1, got 0/, undefined],
    ["a fractional points value", accrualFile([rule({ event: { type: "fixed_bonus", params: { points: 1.5 } } })]), "/rules/0/event/params/points", /must be an integer, got 1.5/, undefined],
    ["a huge priority", accrualFile([rule({ priority: 1e300 })]), "/rules/0/priority", /must be a safe integer/, undefined],
    ["a huge bonus", accrualFile([rule({ event: { type: "fixed_bonus", params: { points: 1e300 } } })]), "/rules/0/event/params/points", /must be a safe integer/, undefined],
    ["a multiplier with 5 decimals", accrualFile([rule({ event: { type: "multiplier", params: { factor: 1.23456 } } })]), "/rules/0/event/params/factor", /more than 4 decimal places/, undefined],
    ["a multiplier of 0", accrualFile([rule({ event: { type: "multiplier", params: { factor: 0 } } })]), "/rules/0/event/params/factor", /must be greater than 0/, undefined],
    ["a multiplier above 100", accrualFile([rule({ event: { type: "multiplier", params: { factor: 101 } } })]), "/rules/0/event/params/factor", /must be at most 100/, undefined],
    ["a negative cap", accrualFile([rule({ event: { type: "cap", params: { max_points: -1 } } })]), "/rules/0/event/params/max_points", /must be at least 0/, undefined],
    ["an unknown amount basis", accrualFile([rule({ event: { type: "points_per_amount", params: { points: 1, per_minor: 100, amount: "totl" } } })]), "/rules/0/event/params/amount", /must be one of "subtotal_minus_discount", "subtotal", "total"/, /did you mean "total"/],
    ["a missing event", accrualFile([rule({ event: undefined })]), "/rules/0/event", /rules\[0\]\.event is missing/, undefined],
    ["an unknown kind", JSON.stringify({ kind: "tier", rules: [] }), "/kind", /unknown kind "tier"; valid kinds: "accrual"/, undefined],
    ["a __proto__ key at the top", "{\"kind\":\"accrual\",\"rules\":[],\"__proto__\":{\"polluted\":true}}", "/__proto__", /unknown key "__proto__"/, undefined],
    ["a constructor key in a rule", accrualFile([rule({ constructor: { x: 1 } })]), "/rules/0/constructor", /unknown key "constructor"/, undefined],
    ["a __proto__ key in a condition", accrualFile([JSON.parse(JSON.stringify(rule()).replace("\"fact\"", "\"__proto__\":{\"x\":1},\"fact\""))]), "/rules/0/conditions/all/0/__proto__", /unknown key "__proto__"/, undefined],
  ])("%s", (_label, text, pointer, message, hint) => {
    const issues = issuesOf(text)
    const issue = issues.find((i) => i.pointer === pointer)
    expect(issue).toEqual(expect.objectContaining({ file: FILE, pointer, message: expect.stringMatching(message) }))
    if (hint) expect(issue?.hint).toMatch(hint)
    expect(issue?.line).toEqual(expect.any(Number))
  })

  it("never lets a __proto__ key pollute Object.prototype", () => {
    issuesOf("{\"kind\":\"accrual\",\"rules\":[{\"__proto__\":{\"polluted\":true}}],\"__proto__\":{\"polluted\":true}}")
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it.each([
    ["a trailing comma", "{\n  \"kind\": \"accrual\",\n  \"rules\": [],\n}", 4, 1, /expected a "quoted" key but found '}'/],
    ["a missing comma", "{\n  \"kind\": \"accrual\"\n  \"rules\": []\n}", 3, 3, /expected ',' or '}' after the value of "kind"/],
    ["single quotes", "{\n  'kind': \"accrual\"\n}", 2, 3, /expected a "quoted" key/],
    ["a comment", "{\n  \"kind\": \"accrual\", // default\n  \"rules\": []\n}", 2, 22, /expected a "quoted" key but found '\/'/],
    ["an unclosed string", "{\n  \"kind\": \"accrual\n}", 2, 11, /a string is not closed before the end of its line/],
    ["an empty file", "", 1, 1, /the file is empty/],
    ["trailing garbage", "{\"kind\":\"accrual\",\"rules\":[]} x", 1, 31, /after the end of the JSON document/],
  ])("reports broken JSON (%s) at its line and column", (_label, text, line, column, message) => {
    const [issue] = issuesOf(text)
    expect(issue).toEqual(expect.objectContaining({ file: FILE, pointer: "", line, column, message: expect.stringMatching(message) }))
  })

  it("points an unknown key at the key's own line and column", () => {
    const text = "{\n  \"kind\": \"accrual\",\n  \"rules\": [],\n  \"extra\": 1\n}"
    expect(issuesOf(text)).toEqual([expect.objectContaining({ pointer: "/extra", line: 4, column: 3 })])
  })

  it("escapes ~ and / in pointers (RFC 6901)", () => {
    const issues = issuesOf(accrualFile([rule({ "a/b~c": 1 })]))
    expect(issues.map((i) => i.pointer)).toEqual(["/rules/0/a~1b~0c"])
  })

  it("collects every issue of every file, not just the first", () => {
    const issues = compileIssues([
      { name: "a.json", text: withLeaf({ fact: "ordr", operator: "greaterThen" }) },
      { name: "b.json", text: "{ broken" },
    ])
    expect(issues.map((i) => `${i.file}${i.pointer}`)).toEqual([
      "a.json/rules/0/conditions/all/0/fact",
      "a.json/rules/0/conditions/all/0/operator",
      "b.json",
    ])
  })

  it("reports a duplicate rule name at the second occurrence, across files", () => {
    const issues = compileIssues([
      { name: "a.json", text: accrualFile([rule({ name: "base-earn" })]) },
      { name: "b.json", text: accrualFile([rule({ name: "other" }), rule({ name: "base-earn" })]) },
    ])
    expect(issues).toEqual([expect.objectContaining({ file: "b.json", pointer: "/rules/1/name", message: "duplicate rule name \"base-earn\" (already used in a.json)" })])
  })

  it.each([
    ["no files", []],
    ["only a file of another kind", [{ name: "tiers.json", text: JSON.stringify({ kind: "tiers" }) }]],
  ])("reports 'no accrual rules' for %s", (_label, files) => {
    const issues = compileIssues(files)
    expect(issues).toContainEqual(expect.objectContaining({ pointer: "", message: expect.stringMatching(/^no accrual rules/) }))
  })

  it("does not add 'no accrual rules' when the accrual file itself is unreadable", () => {
    expect(issuesOf("{ nope").map((i) => i.message)).toEqual([expect.stringMatching(/^invalid JSON/)])
  })

  it(`reports conditions nested deeper than ${MAX_CONDITION_DEPTH} levels`, () => {
    let conditions: Record<string, unknown> = { all: [leaf({})] }
    for (let i = 0; i < 40; i++) conditions = { not: conditions }
    const issues = issuesOf(accrualFile([rule({ conditions })]))
    expect(issues).toEqual([expect.objectContaining({ pointer: `/rules/0/conditions${"/not".repeat(MAX_CONDITION_DEPTH)}`, message: expect.stringMatching(/nested more than 16 levels/) })])
  })

  it("reports every problem in one condition tree at its own pointer", () => {
    const text = accrualFile([rule({ conditions: { any: [leaf({ fact: "x" }), { all: [leaf({ operator: "bigger" })] }, { not: leaf({ path: "$.nope" }) }] } })])
    expect(issuesOf(text).map((i) => i.pointer)).toEqual([
      "/rules/0/conditions/any/0/fact",
      "/rules/0/conditions/any/1/all/0/operator",
      "/rules/0/conditions/any/2/not/path",
    ])
  })

  it.each([
    ["null", "null"],
    ["a list", "[]"],
    ["a number", "42"],
    ["a deeply nested array", "[".repeat(5000) + "]".repeat(5000)],
    ["a huge number literal", "{\"kind\":\"accrual\",\"rules\":[{\"name\":\"x\",\"priority\":1e999}]}"],
    ["a lone surrogate", "{\"kind\":\"accrual\",\"rules\":[],\"description\":\"\\ud800\"}"],
  ])("never throws for %s", (_label, text) => {
    const result = compileRulebook([{ name: FILE, text }])
    expect(typeof result.ok).toBe("boolean")
  })
})
