/**
 * Review of a rule change, as a pull request shows a code change: what changed rule by rule between a base and a
 * candidate rulebook, the candidate's golden tests, sample orders under both, the backtest's liability delta, and
 * one verdict a CI acts on (its exit code). The CLI reads the files, the git history and the database and renders;
 * everything decided here is pure: no file system, no clock, no database.
 */
import { z } from "zod"
import type { BacktestMemberResult, BacktestResult, TierMove } from "./backtest"
import { CustomerInput, diffJson, MemberInput, OrderInput, simulate, SimulationInput, type FieldDiff } from "./simulation"
import type { Rulebook } from "../rules/rulebook"
import type { RuleFileIssue } from "../rules/rule-issues"
import { unknownKeyError } from "../rules/rule-issues"

/** What kind of definition changed: one section per kind of rule file, plus the tier ladder's own settings. */
export type RuleSection = "accrual" | "actions" | "tiers" | "tier_ladder" | "promotions" | "program"

/** One changed field of a definition: where (a JSON pointer into the definition), before and after. */
export interface FieldChange {
  pointer: string
  before: unknown
  after: unknown
}

export interface RuleChange {
  section: RuleSection
  /** The rule's name, the tier's or promotion's code, the program setting's or ladder setting's name. */
  key: string
  change: "added" | "removed" | "changed"
  /** Top-level fields that differ (e.g. ["event", "priority"]); every field for an added or removed definition. */
  fields: string[]
  /** Field by field, for a changed definition only (added and removed ones carry `before` / `after` whole). */
  changes: FieldChange[]
  before?: unknown
  after?: unknown
}

export interface RulebookDiff {
  base_version: string | null
  candidate_version: string
  /** Same content (same version): nothing to review. */
  identical: boolean
  /** Section order (accrual, actions, tiers, tier_ladder, promotions, program), then key. */
  changes: RuleChange[]
  counts: { added: number; removed: number; changed: number }
}

const SECTIONS: readonly RuleSection[] = ["accrual", "actions", "tiers", "tier_ladder", "promotions", "program"]

/** The definitions of one section, keyed; derived fields (a tier's threshold) are left out: their source is diffed. */
function sectionEntries(rulebook: Rulebook | null, section: RuleSection): Map<string, Record<string, unknown>> {
  const entries = new Map<string, Record<string, unknown>>()
  if (rulebook === null) return entries
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>
  switch (section) {
    case "accrual":
      for (const r of rulebook.accrual) entries.set(r.name, plain(r))
      break
    case "actions":
      for (const r of rulebook.actions) entries.set(r.name, plain(r))
      break
    case "tiers":
      for (const { threshold: _derived, ...t } of rulebook.tiers?.tiers ?? []) entries.set(t.code, plain({ ...t, file: rulebook.tiers!.file }))
      break
    case "tier_ladder":
      if (rulebook.tiers) entries.set("downgrade", plain(rulebook.tiers.downgrade))
      break
    case "promotions":
      for (const p of rulebook.promotions) entries.set(p.code, plain(p))
      break
    case "program":
      for (const [key, value] of Object.entries(rulebook.program)) entries.set(key, plain({ value }))
      break
  }
  return entries
}

const topField = (pointer: string) => pointer.split("/")[1] ?? ""

/**
 * What changed between two rulebooks, definition by definition: accrual and action rules by name, tiers and
 * promotions by code, the ladder's downgrade policy, each program setting (a program setting's single field is
 * `value`). `base` null (no rules at the base: a new rules directory) makes every definition added.
 * Invariants: pure and deterministic; a definition is "changed" iff some field differs (file moves included: `file`);
 * rulebooks with the same version give no changes.
 */
export function diffRulebooks(base: Rulebook | null, candidate: Rulebook): RulebookDiff {
  const changes: RuleChange[] = []
  if (base?.version !== candidate.version) {
    for (const section of SECTIONS) {
      const before = sectionEntries(base, section)
      const after = sectionEntries(candidate, section)
      const keys = [...new Set([...before.keys(), ...after.keys()])].sort()
      for (const key of keys) {
        const b = before.get(key)
        const a = after.get(key)
        if (b === undefined && a !== undefined) changes.push({ section, key, change: "added", fields: Object.keys(a), changes: [], after: unwrap(section, a) })
        else if (a === undefined && b !== undefined) changes.push({ section, key, change: "removed", fields: Object.keys(b), changes: [], before: unwrap(section, b) })
        else {
          const diffs: FieldDiff[] = diffJson(b, a)
          if (diffs.length === 0) continue
          changes.push({
            section,
            key,
            change: "changed",
            fields: [...new Set(diffs.map((d) => topField(d.pointer)))],
            changes: diffs.map((d) => ({ pointer: d.pointer, before: d.expected, after: d.actual })),
          })
        }
      }
    }
  }
  const count = (c: RuleChange["change"]) => changes.filter((x) => x.change === c).length
  return {
    base_version: base?.version ?? null,
    candidate_version: candidate.version,
    identical: base?.version === candidate.version,
    changes,
    counts: { added: count("added"), removed: count("removed"), changed: count("changed") },
  }
}

// A program setting is diffed as { value } so a scalar setting still has a field; report the bare value.
function unwrap(section: RuleSection, entry: Record<string, unknown>): unknown {
  return section === "program" ? entry.value : entry
}

/** One sample order: a name and partial facts as `simulate` reads them (missing fields defaulted). */
export const SampleOrder = z.strictObject(
  {
    name: z.string(),
    order: OrderInput.optional(),
    customer: CustomerInput.optional(),
    member: MemberInput.optional(),
  },
  { error: unknownKeyError(["name", "order", "customer", "member"]) }
)
export type SampleOrder = z.input<typeof SampleOrder>

/** The file of `review --orders <file>`: a JSON array of sample orders. */
export const SampleOrders = z.array(SampleOrder).min(1, "give at least one sample order")

/**
 * The sample set `review` simulates when no `--orders` file is given: typical orders of a store in USD (amounts in
 * cents) across the default ladder's members, plus a discounted and a zero-decimal (JPY) order.
 */
export const DEFAULT_SAMPLE_ORDERS: readonly SampleOrder[] = Object.freeze([
  { name: "new customer, first order of 50.00", order: { id: "order_sample_first", subtotal: 5000 } },
  { name: "returning customer, 120.00", order: { id: "order_sample_repeat", subtotal: 12000 }, customer: { orders_count: 3, points_lifetime: 400, points_balance: 400, tier: "bronze" } },
  { name: "silver member, 89.97", order: { id: "order_sample_silver", subtotal: 8997 }, customer: { orders_count: 8, points_lifetime: 1500, points_balance: 900, tier: "silver" } },
  { name: "gold member, 250.00", order: { id: "order_sample_gold", subtotal: 25000 }, customer: { orders_count: 20, points_lifetime: 6200, points_balance: 2000, tier: "gold" } },
  { name: "order of 100.00 with a 20.00 discount", order: { id: "order_sample_discount", subtotal: 10000, discount_total: 2000 }, customer: { orders_count: 1, points_lifetime: 150, points_balance: 150, tier: "bronze" } },
  { name: "zero-decimal currency: 5000 JPY", order: { id: "order_sample_jpy", subtotal: 5000, currency_code: "jpy" }, customer: { orders_count: 2, points_lifetime: 300, points_balance: 300, tier: "bronze" } },
])

export interface SampleOutcome {
  points: number
  rule_names: string[]
  tier: string | null
  promotions: string[]
}

export interface SampleComparison {
  name: string
  order_id: string
  /** Under the base rulebook; null when there is none (or it does not compile). */
  base: SampleOutcome | null
  candidate: SampleOutcome
  /** candidate.points − base.points (the candidate's points without a base). */
  delta: number
  /** Points, rules fired, tier or promotions differ (always true without a base). */
  changed: boolean
}

async function outcome(rulebook: Rulebook, sample: SampleOrder): Promise<{ order_id: string; outcome: SampleOutcome }> {
  const input = SimulationInput.parse({ order: sample.order ?? {}, customer: sample.customer ?? {}, member: sample.member })
  const sim = await simulate(rulebook, input)
  return { order_id: sim.facts.order.id, outcome: { points: sim.accrual.points, rule_names: sim.accrual.rule_names, tier: sim.tier?.code ?? null, promotions: sim.promotions } }
}

/**
 * Each sample order simulated under the base and the candidate, exactly as `simulate` does (the member after the
 * order for tiers and promotions). Invariants: pure; delta = candidate − base points; samples keep their order.
 */
export async function compareSamples(base: Rulebook | null, candidate: Rulebook, samples: readonly SampleOrder[]): Promise<SampleComparison[]> {
  const out: SampleComparison[] = []
  for (const sample of samples) {
    const after = await outcome(candidate, sample)
    const before = base ? (await outcome(base, sample)).outcome : null
    out.push({
      name: sample.name,
      order_id: after.order_id,
      base: before,
      candidate: after.outcome,
      delta: after.outcome.points - (before?.points ?? 0),
      changed: before === null || diffJson(before, after.outcome).length > 0,
    })
  }
  return out
}

/** One golden test's result as the `test` command reports it. */
export interface GoldenResult {
  file: string
  description?: string
  status: "pass" | "fail" | "error"
  diffs?: FieldDiff[]
  issues?: RuleFileIssue[]
}

export interface GoldenSummary {
  /** How many test files ran (0: the candidate has no tests/ folder or it is empty). */
  total: number
  passed: number
  failed: number
  tests: GoldenResult[]
}

/** Counts of golden results: anything but "pass" (a failed expectation or an unreadable file) is a failure. */
export function summarizeGolden(tests: readonly GoldenResult[]): GoldenSummary {
  const passed = tests.filter((t) => t.status === "pass").length
  return { total: tests.length, passed, failed: tests.length - passed, tests: [...tests] }
}

/** The backtest part of a review: the same totals as `backtest`, the members that move and the top movers. */
export interface ReviewBacktest {
  rulebook_version: string
  liability_delta: number
  points_now: number
  points_candidate: number
  orders_evaluated: number
  orders_changed: number
  skipped: number
  actions_evaluated: number
  actions_changed: number
  members: number
  members_changing_tier: number
  tier_moves: TierMove[]
  /** The first `top` of `members_changed` (by |delta| descending, then customer id). */
  top_movers: BacktestMemberResult[]
  /** Every member whose points or tier would change: the liability delta per member. */
  members_changed: BacktestMemberResult[]
}

/**
 * The review's view of a backtest result. Invariants: every number is the backtest's own (liability_delta =
 * result.totals.liability_delta); members keep the backtest's order; only members whose points or tier change are listed.
 */
export function reviewBacktest(result: BacktestResult, top = 10): ReviewBacktest {
  const t = result.totals
  const changed = result.members.filter((m) => m.delta !== 0 || m.tier_now !== m.tier_candidate)
  return {
    rulebook_version: result.rulebook_version,
    liability_delta: t.liability_delta,
    points_now: t.points_now,
    points_candidate: t.points_candidate,
    orders_evaluated: t.orders_evaluated,
    orders_changed: t.orders_changed,
    skipped: t.skipped,
    actions_evaluated: t.actions_evaluated,
    actions_changed: t.actions_changed,
    members: t.members,
    members_changing_tier: t.members_changing_tier,
    tier_moves: t.tier_moves,
    top_movers: changed.slice(0, top),
    members_changed: changed,
  }
}

/** Exit codes of `review`: 0 ok, 1 the candidate does not compile or a golden test fails, 2 usage error, 3 over the liability threshold. */
export const ReviewExitCodes = { OK: 0, FAILED: 1, USAGE: 2, LIABILITY: 3 } as const

export interface ReviewInputs {
  base: { source: string; version: string | null; status: "ok" | "missing" | "invalid"; issues: RuleFileIssue[] }
  candidate: { rules_dir: string; files: number; version: string | null; issues: RuleFileIssue[] }
  golden: GoldenSummary | null
  diff: RulebookDiff | null
  samples: SampleComparison[] | null
  backtest: ReviewBacktest | null
  /** `--max-liability-delta`: the largest |liability delta| (points) accepted; null: no threshold. */
  max_liability_delta: number | null
}

export interface ReviewVerdict {
  ok: boolean
  exit_code: number
  /** Why the review fails, one sentence each (empty when ok). */
  failures: string[]
  /** What a reviewer should know but does not fail the review (no golden tests, a base that does not compile). */
  warnings: string[]
}

export type ReviewReport = ReviewInputs & { verdict: ReviewVerdict }

/**
 * The verdict of a review: exit 1 when the candidate does not compile or any golden test fails (or cannot be read);
 * else exit 3 when a threshold is set, the backtest ran and |liability delta| exceeds it; else 0. A candidate
 * without golden tests, and a base that is missing or does not compile, are warnings only.
 * Invariants: pure; 1 wins over 3; `ok` iff exit code 0.
 */
export function reviewVerdict(inputs: ReviewInputs): ReviewVerdict {
  const failures: string[] = []
  const warnings: string[] = []
  let exit_code: number = ReviewExitCodes.OK
  if (inputs.candidate.issues.length > 0) {
    failures.push(`the candidate does not compile: ${inputs.candidate.issues.length} problem(s)`)
    exit_code = ReviewExitCodes.FAILED
  }
  if (inputs.golden && inputs.golden.failed > 0) {
    failures.push(`${inputs.golden.failed} of ${inputs.golden.total} golden test(s) failed`)
    exit_code = ReviewExitCodes.FAILED
  }
  if (inputs.golden && inputs.golden.total === 0) warnings.push("the candidate has no golden tests (tests/*.json in its rules directory)")
  if (inputs.base.status === "missing") warnings.push(`no rules at the base (${inputs.base.source}): every definition is new`)
  if (inputs.base.status === "invalid") warnings.push(`the base (${inputs.base.source}) does not compile: no rule-by-rule diff and no base for the samples`)
  const max = inputs.max_liability_delta
  if (max !== null && inputs.backtest && Math.abs(inputs.backtest.liability_delta) > max) {
    failures.push(`the liability delta ${signed(inputs.backtest.liability_delta)} points exceeds the threshold of ${max}`)
    if (exit_code === ReviewExitCodes.OK) exit_code = ReviewExitCodes.LIABILITY
  }
  return { ok: exit_code === ReviewExitCodes.OK, exit_code, failures, warnings }
}

/** The whole review report: the parts as given plus their verdict. */
export function buildReview(inputs: ReviewInputs): ReviewReport {
  return { ...inputs, verdict: reviewVerdict(inputs) }
}

/** A signed integer as a diff shows it: +5, -3, 0. */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n)
}
