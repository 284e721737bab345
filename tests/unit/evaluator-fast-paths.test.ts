/**
 * The evaluator's shortcuts, each held equal to the general path it replaces: a property load without the
 * own-property check (compiled-condition.ts onlyOwn), campaign windows parsed once (compiledWindow vs inWindow),
 * and order time facts derived only when a condition can read them (readsOrderTime).
 */
import { evaluateAccrual, readsOrderTime } from "../../src/domain/program/accrual"
import { compiledWindow, inWindow, type CampaignWindow } from "../../src/domain/rules/campaign-window"
import { compiledPredicate, onlyOwn, type FactMap } from "../../src/domain/rules/compiled-condition"
import type { ConditionNode, TopLevelCondition } from "../../src/domain/rules/condition"
import { FACTS, LINE_ITEM_FIELDS } from "../../src/domain/rules/fact-catalogue"
import { referenceFiredNames } from "../../src/domain/rules/reference-engine"
import { accrualFile, compileOk, facts, rule } from "./support/rule-files"

describe("a plain property load stands for the own-property check only where no standard prototype defines the name", () => {
  const catalogue_names = [...Object.keys(FACTS), ...Object.values(FACTS).flatMap((fields) => Object.keys(fields)), ...Object.keys(LINE_ITEM_FIELDS)]

  it("every fact name and field name of the catalogue takes the plain load", () => {
    expect(catalogue_names.filter((name) => !onlyOwn(name))).toEqual([])
  })

  it.each(["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "length", "map", "at", "flat"])(
    "%s, a member of Object.prototype or Array.prototype, keeps the own-property check",
    (name) => expect(onlyOwn(name)).toBe(false)
  )

  const leaf = (fact: string, path: string | undefined, operator: "equal" | "notEqual" | "greaterThan", value: string | number | null): TopLevelCondition =>
    ({ all: [{ fact, ...(path === undefined ? {} : { path }), operator, value }] })
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { tier: "gold" })
  const cases: Array<[string, TopLevelCondition, FactMap]> = [
    ["an own field is read", leaf("customer", "$.tier", "equal", "gold"), { customer: { tier: "gold" } }],
    ["an absent field is undefined, not equal to null", leaf("customer", "$.tier", "equal", null), { customer: {} }],
    ["an own field holding undefined is undefined", leaf("customer", "$.tier", "notEqual", "gold"), { customer: { tier: undefined } }],
    ["a field of a null-prototype object is read", leaf("customer", "$.tier", "equal", "gold"), { customer: bare }],
    ["a field of an array is undefined", leaf("customer", "$.tier", "equal", null), { customer: ["gold"] }],
    ["a path on a string fact compares the whole fact", leaf("customer", "$.tier", "equal", "gold"), { customer: "gold" }],
    ["an own field named constructor is read", leaf("customer", "$.constructor", "equal", "c"), { customer: { constructor: "c" } }],
    ["an inherited constructor is not read", leaf("customer", "$.constructor", "notEqual", "c"), { customer: {} }],
    ["an array's own length is read", leaf("customer", "$.group_ids.length", "greaterThan", 1), { customer: { group_ids: ["a", "b"] } }],
    ["a plain object has no length", leaf("customer", "$.group_ids.length", "greaterThan", -1), { customer: { group_ids: {} } }],
    ["a fact that holds undefined is defined", leaf("customer", "$.tier", "equal", null), { customer: undefined }],
  ]

  it.each(cases)("%s, as json-rules-engine decides", async (_name, conditions, fact_map) => {
    const reference = await referenceFiredNames([{ name: "c", conditions }], fact_map)
    expect(compiledPredicate(conditions)(fact_map)).toBe(reference.has("c"))
  })

  it.each(["member", "toString", "constructor"])("a missing fact %s throws as in json-rules-engine, even when Object.prototype has the name", async (fact) => {
    const conditions = leaf(fact, "$.tier", "equal", "gold")
    await expect(referenceFiredNames([{ name: "c", conditions }], { customer: {} })).rejects.toThrow(`Undefined fact: ${fact}`)
    expect(() => compiledPredicate(conditions)({ customer: {} })).toThrow(`Undefined fact: ${fact}`)
  })
})

describe("a campaign window parsed once decides as inWindow parsing it per order", () => {
  const windows: CampaignWindow[] = [
    {},
    { starts_at: "2026-11-27T00:00:00-05:00" },
    { ends_at: "2026-11-28T00:00:00-05:00" },
    { starts_at: "2026-11-27T00:00:00-05:00", ends_at: "2026-11-28T00:00:00-05:00" },
    { starts_at: "not a date" },
    { ends_at: "2026-02-30T00:00:00Z" },
  ]
  const instants = [
    NaN, Infinity, -Infinity, 0,
    Date.parse("2026-11-27T04:59:59.999Z"), Date.parse("2026-11-27T05:00:00.000Z"),
    Date.parse("2026-11-28T04:59:59.999Z"), Date.parse("2026-11-28T05:00:00.000Z"), Date.parse("2099-01-01T00:00:00Z"),
  ]

  it.each(windows.map((w) => [JSON.stringify(w), w] as const))("window %s, at every instant of the table", (_label, window) => {
    const compiled = compiledWindow(window) ?? (() => true)
    expect(instants.map((ms) => compiled(ms))).toEqual(instants.map((ms) => inWindow(window, ms)))
  })

  it("a window without bounds compiles to no test at all (the order's instant is then never computed)", () => {
    expect(compiledWindow({})).toBeUndefined()
  })
})

describe("order time facts are derived only when a condition may read them", () => {
  const on = (fact: string, path?: string): ConditionNode => ({ fact, ...(path === undefined ? {} : { path }), operator: "equal", value: 1 })
  const cases: Array<[string, boolean, ConditionNode]> = [
    ["$.local_hour", true, { all: [on("order", "$.local_hour")] }],
    ["$.local_date", true, { all: [on("order", "$.local_date")] }],
    ["$.local_weekday", true, { all: [on("order", "$.local_weekday")] }],
    ["$.placed_at", true, { all: [on("order", "$.placed_at")] }],
    ["the whole order fact (no path)", true, { all: [on("order")] }],
    ["a time field deep in any / not", true, { any: [on("order", "$.subtotal"), { not: { all: [on("order", "$.local_hour")] } }] }],
    ["$.created_at (the caller's own field)", false, { all: [on("order", "$.created_at")] }],
    ["$.items[*].sku", false, { all: [on("order", "$.items[*].sku")] }],
    ["a customer field named like a time field", false, { all: [on("customer", "$.local_hour")] }],
    ["a path outside the grammar", false, { all: [on("order", "local_hour")] }],
    ["no condition", false, { all: [] }],
  ]
  it.each(cases)("a condition on %s reads order time: %p", (_label, expected, condition) => {
    expect(readsOrderTime(condition)).toBe(expected)
  })

  it("a program without time conditions decides and awards as one that derives them (same rules plus a time rule that never fires)", () => {
    const base = rule({ name: "base-earn" })
    const never = rule({ name: "never", conditions: { all: [{ fact: "order", path: "$.local_hour", operator: "greaterThan", value: 99 }] } })
    const without = compileOk([{ name: "accrual.json", text: accrualFile([base]) }])
    const with_time = compileOk([{ name: "accrual.json", text: accrualFile([base, never]) }])
    for (const created_at of ["2026-11-27T05:00:00.000Z", "not a date"]) {
      const f = facts({ created_at })
      expect({ ...evaluateAccrual(without, f), rulebook_version: "" }).toEqual({ ...evaluateAccrual(with_time, f), rulebook_version: "" })
    }
  })
})
