import { accrualFile, compileIssues, compileOk, defaultFiles, memberWhen, promotion, promotionsFile, rule, tier, tiersFile } from "./support/rule-files"

const ACCRUAL = { name: "accrual.json", text: accrualFile([rule()]) }
const TIERS = { name: "tiers.json", text: tiersFile() }
const FILE = "promotions.json"
const issuesOf = (promotions: unknown[], withTiers = true) => compileIssues([ACCRUAL, ...(withTiers ? [TIERS] : []), { name: FILE, text: promotionsFile(promotions) }])
const withDiscount = (discount: Record<string, unknown>) => [promotion({ discount: { type: "percentage", value: 5, ...discount } })]
const forTier = (operator: string, value: unknown) => [promotion({ conditions: memberWhen("$.tier", operator, value) })]

describe("promotions files: compile errors name the file, the JSON pointer and the fix", () => {
  it.each([
    ["a lower-case code", [promotion({ code: "member5" })], "/promotions/0/code", /3 to 40 upper-case letters/, undefined],
    ["a two-letter code", [promotion({ code: "M5" })], "/promotions/0/code", /3 to 40 upper-case letters/, undefined],
    ["a duplicate code", [promotion(), promotion({ customer_group: "Other" })], "/promotions/1/code", /duplicate promotion code "MEMBER5" \(already used in promotions\.json\)/, /unique/],
    ["a percentage of 0", withDiscount({ value: 0 }), "/promotions/0/discount/value", /must be at least 1, got 0/, undefined],
    ["a percentage above 100", withDiscount({ value: 101 }), "/promotions/0/discount/value", /must be at most 100, got 101/, undefined],
    ["a fractional percentage (Medusa stores an integer)", withDiscount({ value: 7.5 }), "/promotions/0/discount/value", /must be an integer, got 7.5/, undefined],
    ["a fixed amount of 0", withDiscount({ type: "fixed", value: 0, currency_code: "usd" }), "/promotions/0/discount/value", /must be at least 1, got 0/, undefined],
    ["a fractional fixed amount (minor units are integers)", withDiscount({ type: "fixed", value: 4.99, currency_code: "usd" }), "/promotions/0/discount/value", /must be an integer, got 4.99/, undefined],
    ["a fixed amount without a currency", withDiscount({ type: "fixed", value: 500 }), "/promotions/0/discount/currency_code", /currency_code is missing/, undefined],
    ["an upper-case currency", withDiscount({ type: "fixed", value: 500, currency_code: "USD" }), "/promotions/0/discount/currency_code", /lower-case ISO 4217/, undefined],
    ["an unknown discount type", withDiscount({ type: "percent" }), "/promotions/0/discount/type", /unknown discount type "percent"; valid types: "percentage", "fixed"/, /did you mean "percentage"/],
    ["an unknown allocation", withDiscount({ allocation: "items" }), "/promotions/0/discount/allocation", /must be one of "total", "item"/, /did you mean "item"/],
    ["a date without a time zone", withDiscount({ starts_at: "2025-01-01T00:00:00" }), "/promotions/0/discount/starts_at", /ISO 8601 date-time with a time zone/, undefined],
    ["a date only", withDiscount({ ends_at: "2025-12-31" }), "/promotions/0/discount/ends_at", /ISO 8601 date-time with a time zone/, undefined],
    ["ends_at before starts_at", withDiscount({ starts_at: "2025-02-01T00:00:00Z", ends_at: "2025-01-01T00:00:00Z" }), "/promotions/0/discount/ends_at", /ends_at \(2025-01-01T00:00:00Z\) must be after starts_at \(2025-02-01T00:00:00Z\)/, /swap the dates/],
    ["ends_at equal to starts_at (in another offset)", withDiscount({ starts_at: "2025-01-01T01:00:00+01:00", ends_at: "2025-01-01T00:00:00Z" }), "/promotions/0/discount/ends_at", /must be after starts_at/, undefined],
    ["a usage limit of 0", withDiscount({ usage_limit: 0 }), "/promotions/0/discount/usage_limit", /must be at least 1, got 0/, undefined],
    ["a usage limit beyond Medusa's integer column", withDiscount({ usage_limit: 2 ** 31 }), "/promotions/0/discount/usage_limit", /must be at most 2147483647/, undefined],
    ["a misspelled discount key", withDiscount({ usage_limt: 5 }), "/promotions/0/discount/usage_limt", /unknown key "usage_limt"/, /did you mean "usage_limit"/],
    ["an unknown tier with equal", forTier("equal", "gld"), "/promotions/0/conditions/all/0/value", /^unknown tier 'gld', did you mean 'gold'\?$/, /tiers \(tiers\.json\): bronze, silver, gold, platinum/],
    ["an unknown tier inside an in list", forTier("in", ["silver", "platnum"]), "/promotions/0/conditions/all/0/value/1", /^unknown tier 'platnum', did you mean 'platinum'\?$/, undefined],
    ["an unknown tier with notIn", forTier("notIn", ["diamond"]), "/promotions/0/conditions/all/0/value/0", /^unknown tier 'diamond'$/, /bronze, silver, gold, platinum/],
    ["an unknown tier inside a not group", [promotion({ conditions: { not: memberWhen("$.tier", "notEqual", "Gold") } })], "/promotions/0/conditions/not/all/0/value", /unknown tier 'Gold', did you mean 'gold'\?/, undefined],
    ["a customer group shared with a tier", [promotion({ customer_group: "Loyalty: Gold" })], "/promotions/0/customer_group", /customer group "Loyalty: Gold" is already used by tier "gold" \(tiers\.json\)/, /its own customer group/],
    ["a list value for equal on $.tier", forTier("equal", ["gold"]), "/promotions/0/conditions/all/0/value", /'equal' compares with one value; got a list/, /'in'/],
  ])("reports %s", (_label, promotions, pointer, message, hint) => {
    const issue = issuesOf(promotions).find((i) => i.pointer === pointer)
    expect(issue).toEqual(expect.objectContaining({ file: FILE, pointer, message: expect.stringMatching(message), line: expect.any(Number) }))
    if (hint) expect(issue?.hint).toMatch(hint)
  })

  it("reports a duplicate code across two promotions files at the second file", () => {
    const issues = compileIssues([ACCRUAL, { name: "a.json", text: promotionsFile([promotion()]) }, { name: "b.json", text: promotionsFile([promotion()]) }])
    expect(issues).toContainEqual(expect.objectContaining({ file: "b.json", pointer: "/promotions/0/code", message: "duplicate promotion code \"MEMBER5\" (already used in a.json)" }))
  })

  it("checks tier codes in accrual rules too once a tiers file exists", () => {
    const accrual = { name: "accrual.json", text: accrualFile([rule({ conditions: { all: [{ fact: "customer", path: "$.tier", operator: "equal", value: "gold " }] } })]) }
    expect(compileIssues([accrual, TIERS])).toEqual([expect.objectContaining({ file: "accrual.json", pointer: "/rules/0/conditions/all/0/value", message: "unknown tier 'gold ', did you mean 'gold'?" })])
  })

  it("does not check tier codes without a tiers file (no ladder to check against)", () => {
    const rulebook = compileOk([ACCRUAL, { name: FILE, text: promotionsFile(forTier("equal", "gld")) }])
    expect(rulebook.promotions.map((p) => p.code)).toEqual(["MEMBER5"])
  })

  it("accepts a renamed ladder and checks promotions against it", () => {
    const ladder = { name: "tiers.json", text: tiersFile([tier("member", 0, null), tier("insider", 1, 500)]) }
    const promotions = { name: FILE, text: promotionsFile(forTier("equal", "insider")) }
    expect(compileOk([ACCRUAL, ladder, promotions]).promotions).toHaveLength(1)
  })
})

describe("compiled promotions", () => {
  it("default the allocation to total and the customer group to \"Loyalty promotion: <code>\"", () => {
    const [def] = compileOk([ACCRUAL, { name: FILE, text: promotionsFile([promotion()]) }]).promotions
    expect(def).toEqual({ code: "MEMBER5", name: "Member 5 %", customer_group: "Loyalty promotion: MEMBER5", conditions: { all: [] }, discount: { type: "percentage", value: 5, allocation: "total" }, file: FILE })
  })

  it("keep a fixed discount's amount in minor units with its currency and validity", () => {
    const discount = { type: "fixed", value: 500, currency_code: "eur", allocation: "item", starts_at: "2025-01-01T00:00:00Z", ends_at: "2025-02-01T00:00:00Z", usage_limit: 1000 }
    const [def] = compileOk([ACCRUAL, { name: FILE, text: promotionsFile([promotion({ discount, customer_group: "Winter sale" })]) }]).promotions
    expect([def.discount, def.customer_group]).toEqual([discount, "Winter sale"])
  })

  it("ship the default program: MEMBER5, SILVER10, GOLD15, PLATINUM20 at 5/10/15/20 % off the total", () => {
    const { promotions } = compileOk(defaultFiles())
    expect(promotions.map((p) => [p.code, p.discount.type, p.discount.value, p.discount.allocation, p.customer_group])).toEqual([
      ["MEMBER5", "percentage", 5, "total", "Loyalty promotion: MEMBER5"],
      ["SILVER10", "percentage", 10, "total", "Loyalty promotion: SILVER10"],
      ["GOLD15", "percentage", 15, "total", "Loyalty promotion: GOLD15"],
      ["PLATINUM20", "percentage", 20, "total", "Loyalty promotion: PLATINUM20"],
    ])
  })
})
