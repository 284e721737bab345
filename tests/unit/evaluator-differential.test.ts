/**
 * The store evaluates compiled predicates; json-rules-engine is the reference semantics. These tests run both on the
 * same rules and the same random facts and require identical decisions. `npm run bench` repeats this on 100k orders;
 * here a smaller sample keeps `npm test` fast (LOYALTY_DIFF_ORDERS raises it).
 */
import path from "path"
import { computeAccrual, evaluateAccrual, firedRules } from "../../src/domain/program/accrual"
import { compiledPredicate } from "../../src/domain/rules/compiled-condition"
import type { TopLevelCondition } from "../../src/domain/rules/condition"
import { referenceFiredNames } from "../../src/domain/rules/reference-engine"
import type { Rulebook } from "../../src/domain/rules/rulebook"
import { eligiblePromotions } from "../../src/domain/program/promotions"
import { evaluateTier } from "../../src/domain/program/tiers"
import { prng, randomAccrualFacts, randomAccrualFile, randomCondition, randomMemberFacts } from "../support/random-rules"
import { readRuleFiles } from "../../src/utils/rulebook-store"
import { compileOk, REPO } from "./support/rule-files"

const ORDERS = Number(process.env.LOYALTY_DIFF_ORDERS ?? 2000)

/** json-rules-engine needs ≈5 ms per order on 100 rules, so the big program gets a fifth of the sample. */
const programs: Array<[string, number, () => Rulebook]> = [
  ["the default program (rules/)", ORDERS, () => compileOk(readRuleFiles(path.join(REPO, "rules")))],
  ["examples/rulebooks/seed-003", ORDERS, () => compileOk(readRuleFiles(path.join(REPO, "examples/rulebooks/seed-003")))],
  ["a generated 100-rule program", Math.ceil(ORDERS / 5), () => compileOk([{ name: "accrual.json", text: randomAccrualFile(prng(100), 100) }])],
]

describe("compiled accrual evaluation agrees with json-rules-engine", () => {
  test.each(programs)("under %s, on %i random orders, the same rules fire and the same points are awarded", async (_name, orders, load) => {
    const rulebook = load()
    const random = prng(0xd1ff)
    let fired_total = 0
    let partly_fired = 0
    for (let i = 0; i < orders; i++) {
      const facts = randomAccrualFacts(random)
      const reference = await referenceFiredNames(rulebook.accrual, { order: facts.order, customer: facts.customer })
      const compiled = firedRules(rulebook.accrual, facts).map((r) => r.name)
      expect({ order: i, fired: compiled.slice().sort() }).toEqual({ order: i, fired: [...reference].sort() })
      const by_reference = computeAccrual(rulebook.accrual.filter((r) => reference.has(r.name)).sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : 1)), facts, rulebook.version)
      expect(evaluateAccrual(rulebook, facts)).toEqual(by_reference)
      fired_total += compiled.length
      if (compiled.length > 0 && compiled.length < rulebook.accrual.length) partly_fired++
    }
    // The sample is only worth something if rules fire, and (with several rules) some fire while others do not.
    expect(fired_total).toBeGreaterThan(0)
    if (rulebook.accrual.length > 1) expect(partly_fired).toBeGreaterThan(orders / 10)
  })
})

describe("compiled member conditions agree with json-rules-engine", () => {
  test(`on ${ORDERS} random members, the shipped tiers and promotions give the same tier and the same promotions`, async () => {
    const rulebook = compileOk(readRuleFiles(path.join(REPO, "rules")))
    const random = prng(0x7157)
    const tiers = rulebook.tiers!.tiers.map((t) => ({ name: t.code, conditions: t.conditions }))
    const promotions = rulebook.promotions.map((p) => ({ name: p.code, conditions: p.conditions }))
    const seen_tiers = new Set<string>()
    for (let i = 0; i < ORDERS; i++) {
      const member = randomMemberFacts(random)
      const qualified = await referenceFiredNames(tiers, { member })
      const expected_tier = [...rulebook.tiers!.tiers].reverse().find((t) => qualified.has(t.code)) ?? rulebook.tiers!.tiers[0]
      expect(evaluateTier(rulebook, member)?.code).toBe(expected_tier.code)
      const eligible = await referenceFiredNames(promotions, { member })
      expect(eligiblePromotions(rulebook, member).map((p) => p.code)).toEqual(rulebook.promotions.filter((p) => eligible.has(p.code)).map((p) => p.code))
      seen_tiers.add(expected_tier.code)
    }
    expect(seen_tiers.size).toBeGreaterThan(1)
  })

  test(`on ${ORDERS} random member conditions and members, every decision is the same`, async () => {
    const random = prng(0x3e3b)
    for (let i = 0; i < ORDERS; i++) {
      const conditions = randomCondition(random, ["member"])
      const member = randomMemberFacts(random)
      const reference = await referenceFiredNames([{ name: "c", conditions }], { member })
      expect({ i, conditions, fired: compiledPredicate(conditions)({ member }) }).toEqual({ i, conditions, fired: reference.has("c") })
    }
  })
})

describe("edge cases decide as json-rules-engine decides", () => {
  const facts = randomAccrualFacts(prng(7))
  const withNull = { ...facts, customer: { ...facts.customer, tier: null } }
  const noItems = { ...facts, order: { ...facts.order, items: [] } }
  const cases: Array<[string, TopLevelCondition, typeof facts]> = [
    ["an empty all is true", { all: [] }, facts],
    ["an empty any is true (json-rules-engine's prioritizeAndRun)", { any: [] }, facts],
    ["not of an empty all is false", { not: { all: [] } }, facts],
    ["a numeric operator on null is false", { all: [{ fact: "customer", path: "$.tier", operator: "greaterThan", value: 0 }] }, withNull],
    ["equal null matches a null field", { all: [{ fact: "customer", path: "$.tier", operator: "equal", value: null }] }, withNull],
    ["an absent item index compares as undefined", { all: [{ fact: "order", path: "$.items[0].sku", operator: "notEqual", value: "SKU-1" }] }, noItems],
    ["contains on an empty per-item list is false", { all: [{ fact: "order", path: "$.items[*].sku", operator: "contains", value: "SKU-1" }] }, noItems],
    ["doesNotContain on an empty per-item list is true", { all: [{ fact: "order", path: "$.items[*].tags", operator: "doesNotContain", value: "sale" }] }, noItems],
    ["in with null in the list matches a null field", { all: [{ fact: "customer", path: "$.tier", operator: "in", value: [null, "gold"] }] }, withNull],
    ["lessThan on a length works on numbers", { all: [{ fact: "order", path: "$.items.length", operator: "lessThan", value: 1 }] }, noItems],
  ]
  test.each(cases)("%s", async (_name, conditions, f) => {
    const reference = await referenceFiredNames([{ name: "c", conditions }], { order: f.order, customer: f.customer })
    expect(compiledPredicate(conditions)({ order: f.order, customer: f.customer })).toBe(reference.has("c"))
  })

  test("a path on a fact that is not an object compares the whole fact, in both evaluators", async () => {
    const conditions: TopLevelCondition = { all: [{ fact: "order", path: "$.subtotal", operator: "equal", value: 7 }] }
    for (const order of [7, null, "x"]) {
      const reference = await referenceFiredNames([{ name: "c", conditions }], { order, customer: facts.customer })
      expect({ order, fired: compiledPredicate(conditions)({ order, customer: facts.customer }) }).toEqual({ order, fired: reference.has("c") })
    }
  })

  test("an undefined fact throws in both evaluators", async () => {
    const conditions: TopLevelCondition = { all: [{ fact: "member", path: "$.tier", operator: "equal", value: "gold" }] }
    await expect(referenceFiredNames([{ name: "c", conditions }], { order: facts.order })).rejects.toThrow(/Undefined fact: member/)
    expect(() => compiledPredicate(conditions)({ order: facts.order })).toThrow(/Undefined fact: member/)
  })
})
