/**
 * The admin report and settings routes of both adapters: GET /admin/loyalty/stats/activity, /stats/tiers,
 * /settings, /rules/files and POST /admin/loyalty/rules/backtest. Their request schemas, response schemas and the
 * views built from what an adapter read: one copy, so the two majors answer the same shapes (docs/api.md).
 */
import { z } from "zod"
import type { BacktestMemberResult, BacktestResult, TierMove } from "../reports/backtest"
import { topMovers } from "../reports/stats"
import { compileRulebook, type Rulebook } from "../rules/rulebook"
import type { RulebookState } from "../rules/rulebook-state"
import type { ProgramSettings } from "../rules/program"
import type { PluginOptions } from "../shared/options"
import { issueView, type IssueView } from "./rules-admin"
import { IsoDateTime, IsoDay, parseInput } from "./request-input"
import { candidateFilesSchema, RuleFilesList, RuleFilesMap, withFilesLimit } from "./rule-files-input"

const Int = z.number().int()

// ── GET /admin/loyalty/stats/activity ──

export const ActivityQuery = z.object({ from: IsoDay.optional(), to: IsoDay.optional() }).strict()

export const ActivityResponse = z.object({
  from: IsoDay,
  to: IsoDay,
  days: z.array(
    z.object({
      date: IsoDay,
      issued_points: Int,
      redeemed_points: Int,
      expired_points: Int,
      clawed_back_points: Int,
      adjusted_points: Int,
      outstanding_points: Int,
    })
  ),
})

// ── GET /admin/loyalty/stats/tiers ──

export const TierStatsResponse = z.object({ tiers: z.array(z.object({ code: z.string(), name: z.string(), members: Int.min(0) })) })

// ── GET /admin/loyalty/settings ──

const ProgramView = z.object({
  negative_balance: z.enum(["allow", "stop_at_zero"]),
  redemption: z.object({ points_per_currency_unit: Int, min_points: Int, step_points: Int, code_valid_days: Int, max_cart_share_bps: Int }),
  expiry: z.object({ after_months: Int }).nullable(),
  pending_days: Int,
  spendable_on: z.enum(["placed", "captured"]),
  timezone: z.string().meta({ description: "IANA time zone of the store calendar (local date, weekday and hour facts, action limits, birthdays)" }),
  expiry_reminder_days: Int.meta({ description: "days before points expire that loyalty.points_expiring is emitted; 0: never" }),
  referral: z.object({ attach_within_days: Int }),
})

export const SettingsResponse = z.object({
  plugin_options: z.object({ rules_dir: z.string(), auto_enroll: z.boolean(), watch_rules: z.boolean() }),
  program: ProgramView.nullable(),
  rulebook_version: z.string().nullable(),
  docs: z.record(z.string(), z.string()),
})

export type SettingsView = {
  plugin_options: { rules_dir: string; auto_enroll: boolean; watch_rules: boolean }
  program: ProgramSettings | null
  rulebook_version: string | null
  docs: Record<string, string>
}

/**
 * The settings page: the plugin options as parsed (none is a secret), the live program settings and rulebook version
 * (null when no rulebook is live), and the installed package's docs by name (paths relative to the package root).
 */
export function settingsView(options: PluginOptions, live: { version: string; program: ProgramSettings } | null, docs: Record<string, string>): SettingsView {
  const { rules_dir, auto_enroll, watch_rules } = options
  return { plugin_options: { rules_dir, auto_enroll, watch_rules }, program: live?.program ?? null, rulebook_version: live?.version ?? null, docs }
}

/**
 * The docs index of an installed package, by name: README.md as `readme`, rules/README.md (the field-by-field
 * reference of the rule files) as `rule-files-reference` (not `rules`: docs/rules.md takes that name), then each file
 * of docs/ by its name without extension. `present` says what the installation has; `docs` are docs/' file names.
 */
export function docsIndex(present: { readme: boolean; rules_readme: boolean; docs: readonly string[] }): Record<string, string> {
  const index: Record<string, string> = {}
  if (present.readme) index.readme = "README.md"
  if (present.rules_readme) index["rule-files-reference"] = "rules/README.md"
  for (const name of [...present.docs].sort()) index[name.replace(/\.[^.]+$/, "")] = `docs/${name}`
  return index
}

// ── GET /admin/loyalty/rules/files ──

export const RuleFilesResponse = z.strictObject({
  version: z.string().nullable(),
  files: z.array(z.strictObject({ name: z.string(), content: z.string() })),
})

/**
 * The text of the LIVE rulebook's files (what the store runs, not what is on disk now), so an editor starts from it;
 * `version` null and no files when no rulebook is live.
 */
export function liveRuleFilesView(state: Pick<RulebookState, "rulebook" | "sources">): z.infer<typeof RuleFilesResponse> {
  const version = state.rulebook?.version ?? null
  return { version, files: version ? state.sources.map((s) => ({ name: s.name, content: s.text })) : [] }
}

// ── POST /admin/loyalty/rules/backtest ──

export const BACKTEST_MAX_ORDERS = 5000
export const BACKTEST_DEFAULT_ORDERS = 1000
/** Members the backtest report lists: this many biggest gainers, then as many biggest losers. */
export const BACKTEST_TOP_MEMBERS = 10

const BacktestWindowFields = {
  since: IsoDateTime.optional(),
  limit_orders: Int.min(1).max(BACKTEST_MAX_ORDERS).default(BACKTEST_DEFAULT_ORDERS),
}

/**
 * The backtest body's two forms, within `limit_bytes` of file contents: `files` as rules/validate takes them
 * (`[{ name, content }]`), or as a map `{ "<name>.json": parsed JSON or text }`.
 */
export function backtestBodies(limit_bytes: number) {
  return {
    list: withFilesLimit(z.object({ files: RuleFilesList, ...BacktestWindowFields }).strict(), limit_bytes),
    map: withFilesLimit(z.object({ files: RuleFilesMap, ...BacktestWindowFields }).strict(), limit_bytes),
  }
}

/** Which of the two forms a raw body is parsed with: a list (or no files: the list form names the missing field), else the map. */
export function backtestBodyForm(raw: unknown): "list" | "map" {
  const files = (raw ?? {}) as { files?: unknown }
  return Array.isArray(files.files) || files.files === undefined ? "list" : "map"
}

const Tier = z.string().nullable()
export const BacktestResponse = z.object({
  rulebook_version: z.string(),
  live_rulebook_version: z.string().nullable(),
  window: z.object({ since: z.string().nullable(), limit_orders: Int }),
  orders_evaluated: Int, orders_changed: Int, orders_skipped: Int,
  actions_evaluated: Int, actions_changed: Int, actions_skipped: Int,
  current_points: Int, candidate_points: Int, action_current_points: Int, action_candidate_points: Int, liability_delta_points: Int,
  members_evaluated: Int, members_changing_tier: Int,
  tier_moves: z.array(z.object({ from: Tier, to: Tier, count: Int })),
  members: z.array(z.object({
    customer_id: z.string(), email: z.string().nullable(), orders: Int, actions: Int,
    current_points: Int, candidate_points: Int, delta_points: Int, tier_current: Tier, tier_candidate: Tier,
  })),
  evaluation_ms: z.number(),
})

/** A member of a backtest as the admin API shows it: the points of their evaluated orders and actions now and under the candidate. */
export type BacktestMemberView = {
  customer_id: string
  email: string | null
  orders: number
  actions: number
  current_points: number
  candidate_points: number
  delta_points: number
  tier_current: string | null
  tier_candidate: string | null
}

export type BacktestReportView = {
  rulebook_version: string
  live_rulebook_version: string | null
  window: { since: string | null; limit_orders: number }
  orders_evaluated: number
  orders_changed: number
  orders_skipped: number
  actions_evaluated: number
  actions_changed: number
  actions_skipped: number
  /** Orders and actions. */
  current_points: number
  candidate_points: number
  /** The actions' share of current_points and candidate_points. */
  action_current_points: number
  action_candidate_points: number
  liability_delta_points: number
  members_evaluated: number
  members_changing_tier: number
  tier_moves: TierMove[]
  members: BacktestMemberView[]
  evaluation_ms: number
}

export type BacktestOutcome = { ok: true; report: BacktestReportView } | { ok: false; message: string; issues: IssueView[] }

/**
 * Compiles candidate files for a backtest: the rulebook, or the refusal the route answers as 400 RULES_INVALID with
 * the issues located as rules/validate gives them (nothing is evaluated then).
 */
export function compileCandidate(files: ReadonlyArray<{ name: string; content: string }>): { ok: true; rulebook: Rulebook } | { ok: false; message: string; issues: IssueView[] } {
  const compiled = compileRulebook(files.map((f) => ({ name: f.name, text: f.content })))
  if (compiled.ok) return { ok: true, rulebook: compiled.rulebook }
  return { ok: false, message: `The candidate rule files are invalid (${compiled.issues.length} issue(s)); nothing was evaluated`, issues: compiled.issues.map(issueView) }
}

/** The 400 answer to candidate files that do not compile: every issue located (file, JSON pointer, line). */
export type CandidateRefusal = { type: "invalid_data"; code: "RULES_INVALID"; message: string; issues: IssueView[] }

/**
 * The rulebook a dry run of POST /admin/loyalty/simulate evaluates: the body's candidate `files` (the list or map form
 * the backtest takes, within `limit_bytes`) compiled as one rulebook, or null when the body has none (the live
 * rulebook is meant). A malformed `files` field throws INVALID_INPUT; files that do not compile give the refusal,
 * each issue naming its file and JSON pointer. Invariant: nothing is applied; the live rulebook is not touched.
 */
export function simulationCandidate(
  files: unknown,
  limit_bytes: number
): null | { ok: true; rulebook: Rulebook } | { ok: false; refusal: CandidateRefusal } {
  if (files === undefined) return null
  const parsed = parseInput(candidateFilesSchema(files, limit_bytes), { files }, "body").files
  const compiled = compileCandidate(parsed)
  if (compiled.ok) return compiled
  return { ok: false, refusal: { type: "invalid_data", code: "RULES_INVALID", message: compiled.message, issues: compiled.issues } }
}

/**
 * The admin API's backtest report from the core's result: totals renamed for the API, the top movers
 * (BACKTEST_TOP_MEMBERS gainers then losers), the window as asked and the evaluation time rounded to 0.1 ms.
 * Invariant: liability_delta_points = candidate_points − current_points (the core's totals).
 */
export function backtestReportView(
  result: BacktestResult,
  ctx: { live_rulebook_version: string | null; since: Date | undefined; limit_orders: number; evaluation_ms: number }
): BacktestReportView {
  const t = result.totals
  return {
    rulebook_version: result.rulebook_version,
    live_rulebook_version: ctx.live_rulebook_version,
    window: { since: ctx.since?.toISOString() ?? null, limit_orders: ctx.limit_orders },
    orders_evaluated: t.orders_evaluated,
    orders_changed: t.orders_changed,
    orders_skipped: t.skipped,
    actions_evaluated: t.actions_evaluated,
    actions_changed: t.actions_changed,
    actions_skipped: t.actions_skipped,
    current_points: t.points_now,
    candidate_points: t.points_candidate,
    action_current_points: t.action_points_now,
    action_candidate_points: t.action_points_candidate,
    liability_delta_points: t.liability_delta,
    members_evaluated: t.members,
    members_changing_tier: t.members_changing_tier,
    tier_moves: t.tier_moves,
    members: topMovers(result.members, BACKTEST_TOP_MEMBERS).map(backtestMemberView),
    evaluation_ms: Math.round(ctx.evaluation_ms * 10) / 10,
  }
}

function backtestMemberView(m: BacktestMemberResult): BacktestMemberView {
  return {
    customer_id: m.customer_id,
    email: m.email,
    orders: m.orders,
    actions: m.actions,
    current_points: m.points_now,
    candidate_points: m.points_candidate,
    delta_points: m.delta,
    tier_current: m.tier_now,
    tier_candidate: m.tier_candidate,
  }
}
