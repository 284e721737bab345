import { aggregateBacktest, type BacktestOrder } from "../../src/domain/reports/backtest"
import {
  buildReview,
  compareSamples,
  DEFAULT_SAMPLE_ORDERS,
  diffRulebooks,
  reviewBacktest,
  reviewVerdict,
  SampleOrders,
  summarizeGolden,
  type ReviewInputs,
  type RuleChange,
} from "../../src/domain/reports/review"
import { parseJsonInput } from "../../src/domain/reports/simulation"
import type { Rulebook } from "../../src/domain/rules/rulebook"
import { compileOk, readRepoFile } from "./support/rule-files"

type Files = Record<string, any>

/** The shipped program (rules/*.json) as JSON objects, edited by `edit`, compiled. */
function shipped(edit: (files: Files) => void = () => undefined): Rulebook {
  const files: Files = {}
  for (const name of ["accrual.json", "program.json", "tiers.json", "promotions.json"]) files[name] = JSON.parse(readRepoFile(`rules/${name}`))
  edit(files)
  return compileOk(Object.entries(files).filter(([, v]) => v !== undefined).map(([name, json]) => ({ name, text: JSON.stringify(json) })))
}

const accrualRule = (files: Files, name: string) => files["accrual.json"].rules.find((r: { name: string }) => r.name === name)
const tier = (files: Files, code: string) => files["tiers.json"].tiers.find((t: { code: string }) => t.code === code)

const reviewAction = {
  name: "review-50",
  conditions: { all: [{ fact: "action", path: "$.type", operator: "equal", value: "review" }] },
  event: { type: "award_points", params: { points: 50 } },
  limits: { per_month: 5 },
}

/** What a change looks like in the table below: section, key, change, fields, and (for "changed") the field changes. */
type Expected = Pick<RuleChange, "section" | "key" | "change" | "fields"> & { changes?: RuleChange["changes"] }
const brief = (c: RuleChange): Expected => ({ section: c.section, key: c.key, change: c.change, fields: c.fields, ...(c.change === "changed" ? { changes: c.changes } : {}) })

describe("diffRulebooks: what changed rule by rule", () => {
  const cases: Array<[string, (f: Files) => void, Expected[]]> = [
    ["base-earn at 2 points per unit changes one accrual rule's event", (f) => (accrualRule(f, "base-earn").event.params.points = 2), [
      { section: "accrual", key: "base-earn", change: "changed", fields: ["event"], changes: [{ pointer: "/event/params/points", before: 1, after: 2 }] },
    ]],
    ["a new accrual rule is added with all its fields", (f) => f["accrual.json"].rules.push({ name: "weekend-bonus", priority: 5, conditions: { all: [{ fact: "order", path: "$.local_weekday", operator: "equal", value: "sunday" }] }, event: { type: "fixed_bonus", params: { points: 50 } } }), [
      { section: "accrual", key: "weekend-bonus", change: "added", fields: ["name", "priority", "conditions", "event", "file"] },
    ]],
    ["a deleted rule is removed", (f) => (f["accrual.json"].rules = f["accrual.json"].rules.filter((r: { name: string }) => r.name !== "first-order-bonus")), [
      { section: "accrual", key: "first-order-bonus", change: "removed", fields: expect.arrayContaining(["name", "conditions", "event"]) as unknown as string[] },
    ]],
    ["gold from 6,000 lifetime points changes the tier's condition value", (f) => (tier(f, "gold").conditions.all[0].value = 6000), [
      { section: "tiers", key: "gold", change: "changed", fields: ["conditions"], changes: [{ pointer: "/conditions/all/0/value", before: 5000, after: 6000 }] },
    ]],
    ["a promotion's discount and name change together", (f) => Object.assign(f["promotions.json"].promotions[2], { name: "Gold 20 % off", discount: { type: "percentage", value: 20, allocation: "total" } }), [
      { section: "promotions", key: "GOLD15", change: "changed", fields: ["name", "discount"], changes: [{ pointer: "/name", before: "Gold 15 % off", after: "Gold 20 % off" }, { pointer: "/discount/value", before: 15, after: 20 }] },
    ]],
    ["pending_days 14 changes one program setting", (f) => (f["program.json"].pending_days = 14), [
      { section: "program", key: "pending_days", change: "changed", fields: ["value"], changes: [{ pointer: "/value", before: 0, after: 14 }] },
    ]],
    ["a longer redemption code validity changes the nested setting", (f) => (f["program.json"].redemption.code_valid_days = 60), [
      { section: "program", key: "redemption", change: "changed", fields: ["value"], changes: [{ pointer: "/value/code_valid_days", before: 30, after: 60 }] },
    ]],
    ["the ladder's downgrade policy is its own section", (f) => (f["tiers.json"].downgrade = { policy: "never" }), [
      { section: "tier_ladder", key: "downgrade", change: "changed", fields: ["policy", "grace_days"], changes: [{ pointer: "/policy", before: "grace", after: "never" }, { pointer: "/grace_days", before: 30, after: undefined }] },
    ]],
    ["an actions file adds its rules", (f) => (f["actions.json"] = { kind: "actions", rules: [reviewAction] }), [
      { section: "actions", key: "review-50", change: "added", fields: ["name", "priority", "conditions", "event", "limits", "file"] },
    ]],
    ["a file's description only: a new version, no definition changed", (f) => (f["accrual.json"].description = "reworded"), []],
    ["the same files: nothing", () => undefined, []],
  ]

  it.each(cases)("%s", (_name, edit, expected) => {
    const base = shipped()
    const diff = diffRulebooks(base, shipped(edit))
    expect(diff.changes.map(brief)).toEqual(expected)
    expect(diff.counts).toEqual({
      added: expected.filter((c) => c.change === "added").length,
      removed: expected.filter((c) => c.change === "removed").length,
      changed: expected.filter((c) => c.change === "changed").length,
    })
  })

  it("removing the tiers file removes every tier and the ladder's downgrade policy, in section then key order", () => {
    const diff = diffRulebooks(shipped(), shipped((f) => (f["tiers.json"] = undefined)))
    expect(diff.changes.filter((c) => c.section !== "promotions").map((c) => [c.section, c.key, c.change])).toEqual([
      ["tiers", "bronze", "removed"], ["tiers", "gold", "removed"], ["tiers", "platinum", "removed"], ["tiers", "silver", "removed"], ["tier_ladder", "downgrade", "removed"],
    ])
  })

  it("reports identical only for the same version", () => {
    expect(diffRulebooks(shipped(), shipped())).toMatchObject({ identical: true, changes: [] })
    expect(diffRulebooks(shipped(), shipped((f) => (f["accrual.json"].description = "x")))).toMatchObject({ identical: false, changes: [] })
  })

  it("without a base every definition is added, and a program setting's value is reported bare", () => {
    const candidate = shipped()
    const diff = diffRulebooks(null, candidate)
    expect(diff.base_version).toBeNull()
    expect(diff.counts).toEqual({ added: diff.changes.length, removed: 0, changed: 0 })
    expect(diff.changes.filter((c) => c.section === "accrual").map((c) => c.key)).toEqual(candidate.accrual.map((r) => r.name).sort())
    expect(diff.changes.find((c) => c.key === "pending_days")).toMatchObject({ section: "program", change: "added", after: 0 })
  })

  it("a tier's derived threshold is not reported beside its condition", () => {
    const diff = diffRulebooks(shipped(), shipped((f) => (tier(f, "silver").conditions.all[0].value = 1500)))
    expect(diff.changes.flatMap((c) => c.changes.map((x) => x.pointer))).toEqual(["/conditions/all/0/value"])
  })
})

describe("compareSamples: sample orders under the base and the candidate", () => {
  const doubled = shipped((f) => (accrualRule(f, "base-earn").event.params.points = 2))

  it.each([
    ["new customer, 50.00: base-earn doubles, the first-order bonus stays", { name: "a", order: { subtotal: 5000 } }, 150, 200],
    ["gold member, 250.00: the multiplier applies to the doubled amount", { name: "b", order: { subtotal: 25000 }, customer: { orders_count: 3, tier: "gold", points_lifetime: 6000 } }, 375, 750],
    ["JPY order: no amount points either way", { name: "c", order: { subtotal: 5000, currency_code: "jpy" }, customer: { orders_count: 1 } }, 0, 0],
  ])("%s", async (_name, sample, before, after) => {
    const [r] = await compareSamples(shipped(), doubled, [sample])
    expect(r).toMatchObject({ name: sample.name, base: { points: before }, candidate: { points: after }, delta: after - before, changed: before !== after })
  })

  it("a sample that reaches silver only under the candidate shows the tier and promotions change", async () => {
    const [r] = await compareSamples(shipped(), doubled, [{ name: "upgrade", order: { subtotal: 6000 }, customer: { orders_count: 4, points_lifetime: 900, tier: "bronze" } }])
    expect(r).toMatchObject({ base: { points: 60, tier: "bronze", promotions: ["MEMBER5"] }, candidate: { points: 120, tier: "silver", promotions: ["MEMBER5", "SILVER10"] }, delta: 60, changed: true })
  })

  it("without a base the candidate's points are the delta and every sample is changed; samples keep their order", async () => {
    const results = await compareSamples(null, doubled, DEFAULT_SAMPLE_ORDERS)
    expect(results.map((r) => r.name)).toEqual(DEFAULT_SAMPLE_ORDERS.map((s) => s.name))
    for (const r of results) expect(r).toMatchObject({ base: null, delta: r.candidate.points, changed: true })
  })

  it("the same rulebook changes no sample", async () => {
    const results = await compareSamples(shipped(), shipped(), DEFAULT_SAMPLE_ORDERS)
    expect(results.every((r) => !r.changed && r.delta === 0)).toBe(true)
  })

  it("--orders files are checked like simulate's inputs: unknown keys are located with a hint", () => {
    const text = '[\n  { "name": "x", "order": { "subtotl": 100 } }\n]'
    const parsed = parseJsonInput(SampleOrders, "orders.json", text)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.issues[0]).toMatchObject({ file: "orders.json", pointer: "/0/order/subtotl", line: 2 })
    expect(parseJsonInput(SampleOrders, "orders.json", "[]").ok).toBe(false)
  })
})

describe("reviewBacktest: the backtest's numbers, the members that move", () => {
  const order = (customer_id: string, earned: number, candidate: number, i: number): BacktestOrder => ({
    entry_id: `le_${i}`, order_id: `order_${i}`, customer_id, created_at: "2026-01-01T00:00:00.000Z", earned, candidate, delta: candidate - earned, rule_names_now: [], rule_names_candidate: [],
  })
  const result = aggregateBacktest(
    "v1",
    [order("cus_a", 100, 200, 1), order("cus_b", 50, 50, 2), order("cus_c", 300, 100, 3), order("cus_d", 10, 15, 4)],
    [],
    new Map([["cus_a", { email: "a@example.com", tier: "bronze" }], ["cus_b", { email: null, tier: "silver" }]]),
    new Map([["cus_b", "gold"]])
  )

  it("keeps the liability delta and totals, lists every member that moves (points or tier) by |delta|, and cuts the top movers", () => {
    const r = reviewBacktest(result, 2)
    expect(r).toMatchObject({ liability_delta: result.totals.liability_delta, points_now: 460, points_candidate: 365, orders_evaluated: 4, orders_changed: 3, members: 4, members_changing_tier: 1 })
    expect(r.liability_delta).toBe(-95)
    expect(r.members_changed.map((m) => m.customer_id)).toEqual(["cus_c", "cus_a", "cus_d", "cus_b"])
    expect(r.top_movers.map((m) => [m.customer_id, m.delta])).toEqual([["cus_c", -200], ["cus_a", 100]])
  })
})

describe("reviewVerdict: the exit code a CI acts on", () => {
  const ok = (over: Partial<ReviewInputs> = {}): ReviewInputs => ({
    base: { source: "origin/main:rules", version: "b", status: "ok", issues: [] },
    candidate: { rules_dir: "rules", files: 4, version: "c", issues: [] },
    golden: summarizeGolden([{ file: "rules/tests/a.json", status: "pass" }]),
    diff: null,
    samples: null,
    backtest: null,
    max_liability_delta: null,
    ...over,
  })
  const backtest = (liability_delta: number) => reviewBacktest({ ...aggregateBacktest("c", [], [], new Map(), new Map()), totals: { ...aggregateBacktest("c", [], [], new Map(), new Map()).totals, liability_delta } })
  const failedGolden = summarizeGolden([{ file: "a", status: "pass" }, { file: "b", status: "fail", diffs: [{ pointer: "/points", expected: 1, actual: 2 }] }, { file: "c", status: "error", issues: [] }])

  it.each([
    ["a compiling candidate whose golden tests pass: 0", ok(), 0, [], []],
    ["a candidate that does not compile: 1", ok({ candidate: { rules_dir: "rules", files: 1, version: null, issues: [{ file: "rules/accrual.json", pointer: "/rules/0", message: "bad" }] }, golden: null }), 1, ["the candidate does not compile: 1 problem(s)"], []],
    ["a failed and an unreadable golden test: 1", ok({ golden: failedGolden }), 1, ["2 of 3 golden test(s) failed"], []],
    ["no golden tests: a warning, 0", ok({ golden: summarizeGolden([]) }), 0, [], ["the candidate has no golden tests (tests/*.json in its rules directory)"]],
    ["a delta over the threshold: 3", ok({ backtest: backtest(5001), max_liability_delta: 5000 }), 3, ["the liability delta +5001 points exceeds the threshold of 5000"], []],
    ["a negative delta over the threshold in absolute value: 3", ok({ backtest: backtest(-5001), max_liability_delta: 5000 }), 3, ["the liability delta -5001 points exceeds the threshold of 5000"], []],
    ["a delta at the threshold: 0", ok({ backtest: backtest(5000), max_liability_delta: 5000 }), 0, [], []],
    ["a delta without a threshold: 0", ok({ backtest: backtest(99999) }), 0, [], []],
    ["a failed golden test and a delta over the threshold: 1, both said", ok({ golden: failedGolden, backtest: backtest(10), max_liability_delta: 0 }), 1, ["2 of 3 golden test(s) failed", "the liability delta +10 points exceeds the threshold of 0"], []],
    ["a base that does not compile: a warning, 0", ok({ base: { source: "HEAD~1:rules", version: null, status: "invalid", issues: [] } }), 0, [], ["the base (HEAD~1:rules) does not compile: no rule-by-rule diff and no base for the samples"]],
    ["no rules at the base: a warning, 0", ok({ base: { source: "HEAD~1:rules", version: null, status: "missing", issues: [] } }), 0, [], ["no rules at the base (HEAD~1:rules): every definition is new"]],
  ])("%s", (_name, inputs, exit_code, failures, warnings) => {
    expect(reviewVerdict(inputs)).toEqual({ ok: exit_code === 0, exit_code, failures, warnings })
  })

  it("the report is its inputs plus their verdict", () => {
    const inputs = ok({ golden: failedGolden })
    expect(buildReview(inputs)).toEqual({ ...inputs, verdict: reviewVerdict(inputs) })
  })
})
