import type { RuleChange, ReviewReport, SampleComparison } from "../domain/reports/review"
import { signed } from "../domain/reports/review"
import type { RuleFileIssue } from "../domain/rules/rule-issues"

/** GitHub refuses comments over 65,536 characters: past this, the per-change details are left to --format json. */
export const MAX_COMMENT_CHARS = 60_000

/**
 * `review --format markdown`: the report as a pull-request comment (GitHub-flavoured markdown). When the comment would
 * be too long for GitHub, the field-by-field details of the changes are left out (the table of changes stays).
 */
export function renderReviewMarkdown(r: ReviewReport, maxChars = MAX_COMMENT_CHARS): string {
  const full = render(r, true)
  return full.length <= maxChars ? full : render(r, false)
}

function render(r: ReviewReport, withDetails: boolean): string {
  const v = r.verdict
  const title = v.exit_code === 0 ? "✅ ready to merge" : v.exit_code === 3 ? "⚠️ over the liability threshold" : "❌ failed"
  const version = (s: string | null) => (s ? `version \`${s.slice(0, 12)}\`` : "no version")
  const lines: string[] = [
    `## Loyalty rules review: ${title}`,
    "",
    `Candidate \`${r.candidate.rules_dir}\` (${r.candidate.files} files, ${version(r.candidate.version)}) against base \`${r.base.source}\` (${r.base.status === "ok" ? version(r.base.version) : r.base.status === "missing" ? "no rules" : "does not compile"}).`,
    "",
  ]
  if (v.failures.length) lines.push("**Failures**", "", ...v.failures.map((f) => `- ${f}`), "")
  if (v.warnings.length) lines.push("**Warnings**", "", ...v.warnings.map((w) => `- ${w}`), "")

  lines.push("### Validation", "")
  if (r.candidate.issues.length === 0) lines.push(`✅ the candidate compiles (${r.candidate.files} files).`, "")
  else lines.push(`❌ ${r.candidate.issues.length} problem(s):`, "", ...issueTable(r.candidate.issues), "")
  if (r.base.issues.length) lines.push(`<details><summary>The base does not compile: ${r.base.issues.length} problem(s)</summary>`, "", ...issueTable(r.base.issues), "", "</details>", "")

  if (r.golden) {
    const g = r.golden
    lines.push("### Golden tests", "")
    if (g.total === 0) lines.push("No golden tests: add `tests/*.json` to the rules directory.", "")
    else {
      lines.push(`${g.failed === 0 ? "✅" : "❌"} ${g.passed} passed, ${g.failed} failed.`, "", "| | test | |", "|---|---|---|")
      for (const t of g.tests) {
        const why = t.status === "fail"
          ? (t.diffs ?? []).map((d) => `\`expect${d.pointer}\`: expected ${code(d.expected)}, actual ${code(d.actual)}`).join("<br>")
          : t.status === "error" ? (t.issues ?? []).map((i) => `${where(i)} ${cell(i.message)}`).join("<br>") : ""
        lines.push(`| ${t.status === "pass" ? "✅" : "❌"} | \`${cell(t.file)}\`${t.description ? ` ${cell(t.description)}` : ""} | ${why} |`)
      }
      lines.push("")
    }
  }

  if (r.diff) {
    const d = r.diff
    lines.push("### Changes rule by rule", "")
    if (d.identical) lines.push("No change: the candidate is the base.", "")
    else if (d.changes.length === 0) lines.push("No rule, tier, promotion or setting changed (only file descriptions or layout).", "")
    else {
      lines.push(`${d.counts.changed} changed, ${d.counts.added} added, ${d.counts.removed} removed.`, "", "| section | name | change | fields |", "|---|---|---|---|")
      for (const c of d.changes) lines.push(`| ${c.section} | \`${cell(c.key)}\` | ${c.change} | ${c.fields.map((f) => `\`${cell(f)}\``).join(", ")} |`)
      lines.push("")
      if (withDetails) for (const c of d.changes) lines.push(...changeDetails(c))
      else lines.push("The field-by-field details are too long for a comment: run the review with `--format json` to see them.", "")
    }
  }

  if (r.samples) {
    lines.push("### Sample orders", "", "| order | base | candidate | delta | rules (candidate) | tier | promotions |", "|---|---:|---:|---:|---|---|---|")
    for (const s of r.samples) lines.push(sampleRow(s))
    lines.push("")
  }

  if (r.backtest) {
    const b = r.backtest
    lines.push(
      "### Backtest on the store's history",
      "",
      `Liability delta: **${signed(b.liability_delta)} points** (earned ${b.points_now}, under the candidate ${b.points_candidate}).`,
      "",
      `- accruals evaluated: ${b.orders_evaluated} (${b.orders_changed} would earn differently), skipped: ${b.skipped}`,
      `- actions evaluated: ${b.actions_evaluated} (${b.actions_changed} would earn differently)`,
      `- members: ${b.members}, moving: ${b.members_changed.length}, changing tier: ${b.members_changing_tier}`,
      ...b.tier_moves.map((m) => `  - ${m.from ?? "none"} → ${m.to ?? "none"}: ${m.count}`),
      ""
    )
    if (b.top_movers.length) {
      lines.push("Top movers:", "", "| member | now | candidate | delta | tier |", "|---|---:|---:|---:|---|")
      for (const m of b.top_movers) {
        const tier = m.tier_now === m.tier_candidate ? (m.tier_now ?? "-") : `${m.tier_now ?? "none"} → ${m.tier_candidate ?? "none"}`
        lines.push(`| ${cell(m.email ? `${m.email} (${m.customer_id})` : m.customer_id)} | ${m.points_now} | ${m.points_candidate} | ${signed(m.delta)} | ${cell(tier)} |`)
      }
      lines.push("")
    }
  }
  lines.push(`<sub>medusa-loyalty review, exit code ${v.exit_code}; nothing was written.</sub>`)
  return `${lines.join("\n")}\n`
}

function changeDetails(c: RuleChange): string[] {
  if (c.change === "changed") return [`**${c.section} \`${c.key}\`** changed:`, "", ...c.changes.map((f) => `- \`${f.pointer}\`: ${code(f.before)} → ${code(f.after)}`), ""]
  // Markdown is not rendered inside <summary>: HTML there.
  const value = c.change === "added" ? c.after : c.before
  return [`<details><summary><b>${c.section} <code>${html(c.key)}</code></b> ${c.change}</summary>`, "", "```json", JSON.stringify(value, null, 2), "```", "", "</details>", ""]
}

function sampleRow(s: SampleComparison): string {
  const tier = s.base && s.base.tier !== s.candidate.tier ? `${s.base.tier ?? "none"} → ${s.candidate.tier ?? "none"}` : (s.candidate.tier ?? "-")
  const promos = s.candidate.promotions.join(", ") || "-"
  const rules = s.candidate.rule_names.join(", ") || "(none)"
  return `| ${cell(s.name)} | ${s.base ? s.base.points : "-"} | ${s.candidate.points} | ${s.base ? signed(s.delta) : "-"} | ${cell(rules)} | ${cell(tier)} | ${cell(promos)} |`
}

function issueTable(issues: readonly RuleFileIssue[]): string[] {
  return ["| where | pointer | problem |", "|---|---|---|", ...issues.map((i) => `| ${where(i)} | \`${cell(i.pointer || "/")}\` | ${cell(i.message)}${i.hint ? `<br>hint: ${cell(i.hint)}` : ""} |`)]
}

/** `file:line:column` as `validate` prints it. */
function where(i: RuleFileIssue): string {
  return `\`${cell(i.line !== undefined ? `${i.file}:${i.line}:${i.column ?? 1}` : i.file)}\``
}

/** A value as inline code; long values are cut (the JSON report has them whole). */
function code(v: unknown): string {
  if (v === undefined) return "(nothing)"
  const s = JSON.stringify(v)
  return `\`${cell(s.length > 160 ? `${s.slice(0, 157)}…` : s)}\``
}

function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
}

/** Text safe in a table cell: pipes escaped, one line. */
function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ")
}
