/**
 * What the admin dashboards of both majors show, as plain functions: number and date formats, the activity window and
 * its chart series, a located rule issue as one line, the backtest and validate summaries. The v1 extension
 * (`src/admin`) and the v2 one (`v2/src/admin`) render the same words from the same API shapes (docs/api.md).
 * No framework here: each dashboard wraps these in its own components.
 */

/** A located issue of a rule file, as `/rules/validate`, `/rules/reload` and `/rules/backtest` answer it. */
export type AdminRuleIssue = { file: string; line: number | null; column: number | null; pointer: string; message: string; hint?: string | null }

/**
 * 12345 → "12,345"; null/undefined → "–".
 * Invariant: points and counts are integers everywhere, so no decimals are ever shown.
 */
export function formatPoints(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : n.toLocaleString("en-US")
}

/**
 * A signed amount of points: "+1,234", "-300", "0".
 * Invariant: the sign is shown for every non-zero value, so a delta never reads as a balance.
 */
export function formatSignedPoints(n: number): string {
  return n > 0 ? `+${formatPoints(n)}` : formatPoints(n)
}

/**
 * The UTC day of an ISO timestamp ("2026-12-05"), "–" without one.
 * Invariant: reads the text only; no time zone conversion.
 */
export function formatDay(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : "–"
}

/** The windows the activity chart offers, in days. */
export const ACTIVITY_WINDOWS = [30, 90, 365] as const

/**
 * The `from`/`to` query of `GET /admin/loyalty/stats/activity` for the last `days` UTC days ending on `now`'s day.
 * Invariant: both ends included, so the window holds exactly `days` days (the route answers at most 366).
 */
export function activityRange(now: Date, days: number): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10)
  const from = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10)
  return { from, to }
}

/** One series of the activity chart: the `/stats/activity` day field it draws, its label and colour. */
export type ActivitySeries = { key: string; label: string; color: string }

/** The activity chart's bars: the buckets `/stats/activity` answers per day (signed as the ledger is). */
export const ACTIVITY_SERIES: ActivitySeries[] = [
  { key: "issued_points", label: "Issued", color: "#16a34a" },
  { key: "redeemed_points", label: "Redeemed", color: "#2563eb" },
  { key: "expired_points", label: "Expired", color: "#9ca3af" },
  { key: "clawed_back_points", label: "Clawed back", color: "#dc2626" },
  { key: "adjusted_points", label: "Adjusted", color: "#f59e0b" },
]

/**
 * A located issue as one line: `file:line:column pointer — message` ("?" for an unknown line or column).
 * Invariant: the file and the JSON pointer are always in the line, so the merchant can find the spot.
 */
export function issueLine(issue: AdminRuleIssue): string {
  return `${issue.file}:${issue.line ?? "?"}:${issue.column ?? "?"} ${issue.pointer} — ${issue.message}`
}

/**
 * The issues that name no file of the candidate (e.g. "no accrual rules": the rulebook as a whole).
 * Invariant: every issue is either under one of `fileNames` or in this list, never both, never neither.
 */
export function issuesOutsideFiles<T extends AdminRuleIssue>(issues: T[], fileNames: string[]): T[] {
  const names = new Set(fileNames)
  return issues.filter((x) => !names.has(x.file))
}

/**
 * The one-line verdict of `POST /admin/loyalty/rules/validate`.
 * Invariant: an invalid candidate always says that nothing was applied.
 */
export function validateSummary(result: { valid: boolean; version?: string | null; issues: AdminRuleIssue[] }): string {
  return result.valid ? `Valid: version ${result.version?.slice(0, 12)}` : `${result.issues.length} issue(s) — nothing was applied`
}

/**
 * The one-line result of `POST /admin/loyalty/rules/backtest`: orders evaluated and the liability delta, signed.
 * Invariant: the delta is candidate minus current points over the same orders, shown with its sign.
 */
export function backtestSummary(report: { orders_evaluated: number; liability_delta_points: number }): string {
  return `${formatPoints(report.orders_evaluated)} orders · liability delta ${formatSignedPoints(report.liability_delta_points)} points`
}
