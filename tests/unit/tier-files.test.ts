import { compileRulebook } from "../../src/domain/rules/rulebook"
import { tierThreshold } from "../../src/domain/rules/tier-ladder"
import {
  accrualFile, compileIssues, compileOk, defaultFiles, LADDER, memberWhen, promotion, promotionsFile, readRepoFile, rule, tier, tiersFile,
} from "./support/rule-files"

const ACCRUAL = { name: "accrual.json", text: accrualFile([rule()]) }
const TIERS = "tiers.json"
const issuesOf = (text: string) => compileIssues([ACCRUAL, { name: TIERS, text }])
const compileTiers = (text: string) => compileOk([ACCRUAL, { name: TIERS, text }])
const ladderWith = (index: number, replacement: Record<string, unknown>) => LADDER().map((t, i) => (i === index ? replacement : t))

describe("tiers files: compile errors name the file, the JSON pointer and the fix", () => {
  it.each([
    ["a duplicate tier code", tiersFile(ladderWith(2, tier("silver", 2, 5000))), "/tiers/2/code", /duplicate tier code "silver" \(already used by tiers\[1\]\)/, /unique/],
    ["a duplicate rank", tiersFile(ladderWith(2, tier("gold", 1, 5000))), "/tiers/2/rank", /duplicate rank 1: tiers\[1\] "silver" has it too/, /own rank/],
    ["a higher rank with a lower threshold (the lower tier is unreachable)", tiersFile(ladderWith(2, tier("gold", 2, 800))), "/tiers/2/conditions/all/0/value", /tier "gold" \(rank 2\) starts at \$\.points_lifetime ≥ 800, a lower threshold than tier "silver" \(rank 1, ≥ 1000\): "silver" is unreachable/, /set "gold" above 1000, or swap the ranks/],
    ["a higher rank with the same threshold (overlapping tiers)", tiersFile(ladderWith(2, tier("gold", 2, 1000))), "/tiers/2/conditions/all/0/value", /the same threshold as tier "silver"/, /thresholds must increase with rank/],
    ["greaterThan 999 overlapping greaterThanInclusive 1000", tiersFile(ladderWith(2, tier("gold", 2, null, { conditions: memberWhen("$.points_lifetime", "greaterThan", 999) }))), "/tiers/2/conditions/all/0/value", /≥ 1000, the same threshold as tier "silver"/, undefined],
    ["a threshold below every lower tier's (running maximum)", tiersFile([...LADDER(), tier("diamond", 4, 3000)]), "/tiers/4/conditions/all/0/value", /lower threshold than tier "platinum" \(rank 3, ≥ 20000\)/, undefined],
    ["a lowest tier that does not admit everyone", tiersFile(ladderWith(0, tier("bronze", 0, 1))), "/tiers/0/conditions", /the lowest tier "bronze" \(rank 0\) must admit every member: its conditions must be \{ "all": \[\] \}/, /base tier/],
    ["an always-true tier above the base (every lower tier unreachable)", tiersFile(ladderWith(3, tier("platinum", 3, null))), "/tiers/3/conditions", /tier "platinum" \(rank 3\) admits every member, so every lower tier is unreachable/, /only the lowest tier/],
    ["a bad tier code", tiersFile(ladderWith(1, tier("Silver", 1, 1000))), "/tiers/1/code", /lower-case letters/, undefined],
    ["a fractional rank", tiersFile(ladderWith(1, tier("silver", 1.5, 1000))), "/tiers/1/rank", /must be an integer, got 1.5/, undefined],
    ["an empty tier name", tiersFile(ladderWith(1, tier("silver", 1, 1000, { name: " " }))), "/tiers/1/name", /at least 1 characters/, undefined],
    ["an empty customer group", tiersFile(ladderWith(1, tier("silver", 1, 1000, { customer_group: "" }))), "/tiers/1/customer_group", /at least 1 characters/, undefined],
    ["a threshold key (thresholds are derived from conditions)", tiersFile(ladderWith(1, tier("silver", 1, 1000, { threshold: { points_lifetime: 1000 } }))), "/tiers/1/threshold", /unknown key "threshold"/, /allowed keys/],
    ["no tiers", tiersFile([]), "/tiers", /must have at least 1 entries/, undefined],
    ["a missing downgrade policy", JSON.stringify({ kind: "tiers", tiers: LADDER() }), "/downgrade", /^downgrade is missing$/, undefined],
    ["an unknown downgrade policy", tiersFile(LADDER(), { downgrade: { policy: "grase", grace_days: 30 } }), "/downgrade/policy", /unknown downgrade policy "grase"; valid policies: "never", "grace"/, /did you mean "grace"/],
    ["a grace policy without grace_days", tiersFile(LADDER(), { downgrade: { policy: "grace" } }), "/downgrade/grace_days", /downgrade\.grace_days is missing/, undefined],
    ["a negative grace period", tiersFile(LADDER(), { downgrade: { policy: "grace", grace_days: -1 } }), "/downgrade/grace_days", /must be at least 0, got -1/, undefined],
    ["grace_days on the never policy", tiersFile(LADDER(), { downgrade: { policy: "never", grace_days: 30 } }), "/downgrade/grace_days", /unknown key "grace_days"/, undefined],
    ["an unknown tier in a tier's own condition", tiersFile(ladderWith(3, tier("platinum", 3, null, { conditions: memberWhen("$.tier", "equal", "gld") }))), "/tiers/3/conditions/all/0/value", /unknown tier 'gld', did you mean 'gold'\?/, /tiers \(tiers\.json\): bronze, silver, gold, platinum/],
  ])("reports %s", (_label, text, pointer, message, hint) => {
    const issue = issuesOf(text).find((i) => i.pointer === pointer)
    expect(issue).toEqual(expect.objectContaining({ file: TIERS, pointer, message: expect.stringMatching(message), line: expect.any(Number) }))
    if (hint) expect(issue?.hint).toMatch(hint)
  })

  it("reports a second tiers file at the second file's kind", () => {
    const issues = compileIssues([ACCRUAL, { name: "a-tiers.json", text: tiersFile() }, { name: "b-tiers.json", text: tiersFile() }])
    expect(issues).toEqual([expect.objectContaining({ file: "b-tiers.json", pointer: "/kind", message: expect.stringMatching(/second tiers file.*a-tiers\.json/), line: 2 })])
  })

  it("reports an unreachable tier once, at the higher-ranked tier, even when the file lists tiers out of rank order", () => {
    const issues = issuesOf(tiersFile([tier("gold", 2, 800), tier("bronze", 0, null), tier("silver", 1, 1000)]))
    expect(issues.map((i) => i.pointer)).toEqual(["/tiers/0/conditions/all/0/value"])
  })

  it("reports a customer group shared by two tiers at the second one", () => {
    const issues = issuesOf(tiersFile(ladderWith(2, tier("gold", 2, 5000, { customer_group: "Loyalty: Silver" }))))
    expect(issues).toEqual([expect.objectContaining({ pointer: "/tiers/2/customer_group", message: "customer group \"Loyalty: Silver\" is already used by tier \"silver\" (tiers.json)" })])
  })

  it("accepts tiers with complex conditions above the base without threshold checks", () => {
    const vip = tier("vip", 4, null, { conditions: { any: [{ fact: "member", path: "$.group_ids", operator: "contains", value: "vip" }, { fact: "member", path: "$.orders_count", operator: "greaterThan", value: 50 }] } })
    expect(compileTiers(tiersFile([...LADDER(), vip])).tiers?.tiers.map((t) => t.code)).toEqual(["bronze", "silver", "gold", "platinum", "vip"])
  })

  it("allows independent thresholds on different paths", () => {
    const spender = tier("spender", 4, null, { conditions: memberWhen("$.spend_last_365d_minor", "greaterThanInclusive", 100) })
    expect(compileTiers(tiersFile([...LADDER(), spender])).tiers?.tiers).toHaveLength(5)
  })
})

describe("a fact from another kind of file is a located issue", () => {
  const memberLeaf = { all: [{ fact: "member", path: "$.points_lifetime", operator: "greaterThan", value: 0 }] }
  it.each([
    ["member in an accrual rule", { name: "accrual.json", text: accrualFile([rule({ conditions: memberLeaf })]) }, "/rules/0/conditions/all/0/fact", /fact "member" is not available in this kind of rule file; the facts here are "order", "customer"/],
    ["order in a tier", { name: "tiers.json", text: tiersFile(ladderWith(1, tier("silver", 1, null, { conditions: { all: [{ fact: "order", path: "$.subtotal", operator: "greaterThan", value: 0 }] } }))) }, "/tiers/1/conditions/all/0/fact", /fact "order" is not available in this kind of rule file; the facts here are "member"/],
    ["customer in a promotion", { name: "promotions.json", text: promotionsFile([promotion({ conditions: { all: [{ fact: "customer", path: "$.tier", operator: "equal", value: "gold" }] } })]) }, "/promotions/0/conditions/all/0/fact", /fact "customer" is not available in this kind of rule file; the facts here are "member"/],
  ])("%s", (_label, file, pointer, message) => {
    const files = file.name === "accrual.json" ? [file] : [ACCRUAL, file]
    const issue = compileIssues(files).find((i) => i.pointer === pointer)
    expect(issue).toEqual(expect.objectContaining({ file: file.name, message: expect.stringMatching(message), hint: expect.stringMatching(/tiers and promotions read "member"/) }))
  })

  it("suggests a member path for a typo in a tier", () => {
    const issues = issuesOf(tiersFile(ladderWith(1, tier("silver", 1, null, { conditions: memberWhen("$.points_lifetme", "greaterThan", 0) }))))
    expect(issues).toEqual([expect.objectContaining({ pointer: "/tiers/1/conditions/all/0/path", hint: "did you mean '$.points_lifetime'?" })])
  })
})

describe("tier thresholds derived from simple conditions", () => {
  it.each([
    ["greaterThanInclusive 1000", memberWhen("$.points_lifetime", "greaterThanInclusive", 1000), { path: "$.points_lifetime", value: 1000 }],
    ["greaterThan 999", memberWhen("$.points_lifetime", "greaterThan", 999), { path: "$.points_lifetime", value: 1000 }],
    ["greaterThan 999.5", memberWhen("$.points_lifetime", "greaterThan", 999.5), { path: "$.points_lifetime", value: 1000 }],
    ["a single leaf under any", { any: [{ fact: "member", path: "$.orders_count", operator: "greaterThanInclusive", value: 10 }] }, { path: "$.orders_count", value: 10 }],
    ["the base tier", { all: [] }, null],
    ["two leaves", { all: [{ fact: "member", path: "$.points_lifetime", operator: "greaterThan", value: 1 }, { fact: "member", path: "$.orders_count", operator: "greaterThan", value: 1 }] }, null],
    ["a lessThan", memberWhen("$.points_lifetime", "lessThan", 1000), null],
    ["a not group", { not: { all: [] } }, null],
  ])("%s", (_label, conditions, expected) => {
    expect(tierThreshold(conditions as never)).toEqual(expected)
  })
})

describe("the default tiers file", () => {
  const rulebook = compileOk(defaultFiles())

  it("is the bronze / silver 1,000 / gold 5,000 / platinum 20,000 ladder with a 30-day grace", () => {
    expect(rulebook.tiers?.downgrade).toEqual({ policy: "grace", grace_days: 30 })
    expect(rulebook.tiers?.tiers.map((t) => [t.code, t.rank, t.threshold?.value ?? null, t.customer_group])).toEqual([
      ["bronze", 0, null, "Loyalty: Bronze"],
      ["silver", 1, 1000, "Loyalty: Silver"],
      ["gold", 2, 5000, "Loyalty: Gold"],
      ["platinum", 3, 20000, "Loyalty: Platinum"],
    ])
  })

  it("sorts the ladder by rank whatever the file order", () => {
    const shuffled = compileTiers(tiersFile([...LADDER()].reverse()))
    expect(shuffled.tiers?.tiers.map((t) => t.code)).toEqual(["bronze", "silver", "gold", "platinum"])
  })

  it("is absent (null tiers, no promotions) from a rulebook without tiers and promotions files", () => {
    const accrualOnly = compileOk([ACCRUAL])
    expect([accrualOnly.tiers, accrualOnly.promotions]).toEqual([null, []])
  })
})

describe("tiers and promotions in the rulebook version", () => {
  const versionOf = (files: Array<{ name: string; text: string }>) => compileOk(files).version
  const base = () => versionOf([ACCRUAL, { name: TIERS, text: tiersFile() }])

  it.each([
    ["a threshold", tiersFile(ladderWith(1, tier("silver", 1, 1500)))],
    ["the downgrade policy", tiersFile(LADDER(), { downgrade: { policy: "grace", grace_days: 30 } })],
    ["a tier name", tiersFile(ladderWith(1, tier("silver", 1, 1000, { name: "Argent" })))],
  ])("changes with %s", (_label, text) => {
    expect(versionOf([ACCRUAL, { name: TIERS, text }])).not.toBe(base())
  })

  it("is the same whether a default customer group is written out or left implicit", () => {
    expect(versionOf([ACCRUAL, { name: TIERS, text: tiersFile(ladderWith(1, tier("silver", 1, 1000, { customer_group: "Loyalty: Silver" }))) }])).toBe(base())
  })

  it("changes when a promotions file is added", () => {
    expect(versionOf([ACCRUAL, { name: TIERS, text: tiersFile() }, { name: "promotions.json", text: promotionsFile([promotion()]) }])).not.toBe(base())
  })

  it("never throws for a tiers file of the wrong shape", () => {
    for (const text of ["{\"kind\":\"tiers\"}", "{\"kind\":\"tiers\",\"tiers\":null}", "{\"kind\":\"tiers\",\"tiers\":[null],\"downgrade\":null}", readRepoFile("rules/tiers.json").replace("\"all\": []", "\"all\": {}")]) {
      expect(compileRulebook([ACCRUAL, { name: TIERS, text }]).ok).toBe(false)
    }
  })
})
