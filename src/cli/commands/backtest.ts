import { Command, InvalidArgumentError, Option } from "commander"
import type { BacktestResult } from "../../domain/reports/backtest"
import { backtestStore, type BacktestWindow } from "../../utils/backtest-source"
import { parseNow } from "../options"
import { compileDir, displayPath, formatIssueLines, locateIssues, resolveRulesDir } from "../rules"
import { medusaVersionOption, withReadOnly } from "../store"
import { medusaSchemaOf } from "../../utils/medusa-schema"
import { DAY_MS } from "../../domain/shared/time"

type BacktestFormat = "text" | "json" | "csv"

interface BacktestOptions {
  rules: string
  since?: Date
  until?: Date
  limit?: number
  format: BacktestFormat
  databaseUrl?: string
  medusaVersion?: string
}

export interface BacktestReport extends BacktestResult {
  rules_dir: string
  window: { since: string | null; until: string | null; limit: number | null }
  timing: { evaluation_ms: number; orders_per_second: number | null }
}

/**
 * `backtest --rules <dir>`: the store's past accruals (the facts each one saw) and recorded earning actions
 * re-evaluated under a candidate rulebook, compared with what they earned. Read-only transaction over a plain pg connection; writes nothing.
 */
export function registerBacktest(program: Command): void {
  program
    .command("backtest")
    .description("re-evaluate past accruals (their stored facts) and recorded actions under candidate rules and compare with the live ledger; writes nothing")
    .requiredOption("--rules <dir>", "directory of the candidate rule files")
    .option("--since <date>", "only accruals created (and actions that occurred) at or after this ISO date or date-time", parseNow)
    .option("--until <date>", "only accruals created (and actions that occurred) before this date-time (a plain date includes that whole day, UTC)", parseUntil)
    .option("--limit <n>", "only the newest n accruals (and n actions) of the window", parseLimit)
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "csv"]).default("text"))
    .option("--database-url <url>", "PostgreSQL URL of the store (default: database_url of ./medusa-config.js)")
    .addOption(medusaVersionOption())
    .action(async (opts: BacktestOptions, cmd: Command) => {
      const dir = resolveRulesDir(cmd, opts.rules)
      const { result } = compileDir(dir)
      if (!result.ok) {
        process.stderr.write(`${formatIssueLines(locateIssues(dir, result.issues))}\nthe candidate rulebook does not compile: run medusa-loyalty validate ${displayPath(dir)}\n`)
        process.exitCode = 1
        return
      }
      const window: BacktestWindow = { since: opts.since, until: opts.until, limit: opts.limit }
      const report = await withReadOnly(opts.databaseUrl, async (query) => {
        const schema = await medusaSchemaOf(query, opts.medusaVersion)
        const progress = progressBar(process.stderr)
        const { result: backtest, evaluation_ms } = await backtestStore(query, result.rulebook, window, new Date(), progress.update, schema)
        progress.done()
        return {
          rules_dir: displayPath(dir),
          window: { since: opts.since?.toISOString() ?? null, until: opts.until?.toISOString() ?? null, limit: opts.limit ?? null },
          timing: {
            evaluation_ms: Math.round(evaluation_ms * 10) / 10,
            orders_per_second: evaluation_ms > 0 ? Math.round((backtest.totals.orders_evaluated / evaluation_ms) * 1000) : null,
          },
          ...backtest,
        } satisfies BacktestReport
      })
      const out = opts.format === "json" ? JSON.stringify(report, null, 2) : opts.format === "csv" ? formatCsv(report) : formatText(report)
      process.stdout.write(`${out}\n`)
    })
}

function parseUntil(value: string): Date {
  const date = parseNow(value)
  // A plain date means "through that day": the bound is exclusive, so move it to the next midnight (UTC).
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(date.getTime() + DAY_MS) : date
}

function parseLimit(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`)
  return Number(value)
}

/** A progress bar on stderr: redrawn with \r on a terminal, else one line per 10%. */
function progressBar(stream: NodeJS.WriteStream): { update: (done: number, total: number) => void; done: () => void } {
  const tty = !!stream.isTTY
  let lastDecile = -1
  let lastDraw = 0
  let drawn = false
  return {
    update(done, total) {
      const ratio = total === 0 ? 1 : done / total
      if (tty) {
        if (done !== total && done - lastDraw < Math.max(1, Math.floor(total / 200))) return
        lastDraw = done
        const width = 30
        const filled = Math.round(ratio * width)
        stream.write(`\rbacktest [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${done}/${total}`)
        drawn = true
      } else {
        const decile = Math.floor(ratio * 10)
        if (decile === lastDecile) return
        lastDecile = decile
        stream.write(`backtest: ${decile * 10}% (${done}/${total} accruals)\n`)
      }
    },
    done() {
      if (tty && drawn) stream.write("\n")
    },
  }
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n))

function formatText(r: BacktestReport, top = 10): string {
  const t = r.totals
  const window = [r.window.since && `since ${r.window.since}`, r.window.until && `until ${r.window.until}`, r.window.limit && `newest ${r.window.limit}`].filter(Boolean).join(", ")
  const lines = [
    `candidate ${r.rules_dir}, version ${r.rulebook_version.slice(0, 12)}${window ? ` (${window})` : ""}`,
    `accruals evaluated: ${t.orders_evaluated} (${t.orders_changed} would earn differently), skipped: ${t.skipped}${t.skipped ? " (no stored facts)" : ""}`,
    // Recorded earning actions (a store without any prints the accrual lines only); their points are in the totals.
    ...(t.actions_evaluated + t.actions_skipped > 0
      ? [
          `actions evaluated: ${t.actions_evaluated} (${t.actions_changed} would earn differently), skipped: ${t.actions_skipped}${t.actions_skipped ? " (no member facts)" : ""}`,
          `action points earned: ${t.action_points_now}, under the candidate: ${t.action_points_candidate}`,
        ]
      : []),
    `points earned: ${t.points_now}, under the candidate: ${t.points_candidate}, liability delta: ${signed(t.liability_delta)}`,
    `members: ${t.members}, changing tier: ${t.members_changing_tier}`,
    ...t.tier_moves.map((m) => `  ${m.from ?? "none"} -> ${m.to ?? "none"}: ${m.count}`),
  ]
  const changed = r.members.filter((m) => m.delta !== 0 || m.tier_now !== m.tier_candidate).slice(0, top)
  if (changed.length) {
    const label = (m: BacktestReport["members"][number]) => (m.email ? `${m.email} (${m.customer_id})` : m.customer_id)
    const width = Math.max(6, ...changed.map((m) => label(m).length))
    lines.push(`top members by |delta|:`)
    lines.push(`  ${"member".padEnd(width)}  ${"now".padStart(8)}  ${"candidate".padStart(9)}  ${"delta".padStart(8)}  tier`)
    for (const m of changed) {
      const tier = m.tier_now === m.tier_candidate ? (m.tier_now ?? "-") : `${m.tier_now ?? "none"} -> ${m.tier_candidate ?? "none"}`
      lines.push(`  ${label(m).padEnd(width)}  ${String(m.points_now).padStart(8)}  ${String(m.points_candidate).padStart(9)}  ${signed(m.delta).padStart(8)}  ${tier}`)
    }
  }
  lines.push(`evaluated in ${r.timing.evaluation_ms} ms${r.timing.orders_per_second !== null ? ` (${r.timing.orders_per_second} orders/s)` : ""}`)
  lines.push("nothing was written")
  return lines.join("\n")
}

function csvCell(v: string | number | null): string {
  const s = v === null ? "" : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

function formatCsv(r: BacktestReport): string {
  const header = "customer_id,email,points_now,points_candidate,delta,tier_now,tier_candidate"
  const rows = r.members.map((m) => [m.customer_id, m.email, m.points_now, m.points_candidate, m.delta, m.tier_now, m.tier_candidate].map(csvCell).join(","))
  return [header, ...rows].join("\n")
}
