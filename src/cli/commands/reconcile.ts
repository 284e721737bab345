import { Command, InvalidArgumentError, Option } from "commander"
import { formatReconcileReport, reconcileWindow } from "../../domain/ledger/reconcile"
import { ReconcileDefaults } from "../../domain/ledger/reconcile"
import { parseNow } from "../options"
import { JOBS_SERVICE, type JobsPort } from "../jobs"
import { withStore } from "../store"

interface ReconcileOptions {
  since?: Date
  until?: Date
  limit?: number
  format: "text" | "json"
  json?: boolean
  verbose?: boolean
}

/** `reconcile`: order events the ledger missed, applied once, in the store of the current directory. Exit 1 on failures. */
export function registerReconcile(program: Command): void {
  program
    .command("reconcile")
    .description("find orders, cancels and refunds the points ledger has not seen (lost events) and apply them, idempotently (run in the store directory)")
    .option("--since <date>", `events at or after this ISO date or date-time (default: ${ReconcileDefaults.days} days ago)`, parseNow)
    .option("--until <date>", "events before this ISO date-time (default: now)", parseNow)
    .option("--limit <n>", "look at most at n missed events (default: all of the window)", parseLimit)
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--json", "same as --format json")
    .option("--verbose", "show Medusa's info logs while booting")
    .action(async (opts: ReconcileOptions) => {
      const now = new Date()
      let window
      try {
        window = reconcileWindow({ since: opts.since, until: opts.until, now, default_days: ReconcileDefaults.days })
      } catch (e) {
        // A window that cannot exist is a usage error, told before booting the store.
        process.stderr.write(`medusa-loyalty reconcile: ${(e as Error).message}\n`)
        process.exitCode = 2
        return
      }
      const input = { ...window, limit: opts.limit ?? null }
      const result = await withStore(process.cwd(), { verbose: !!opts.verbose, command: "reconcile" }, (c) => c.resolve<JobsPort>(JOBS_SERVICE).reconcile(input, now))
      const json = opts.json || opts.format === "json"
      process.stdout.write(`${json ? JSON.stringify(result, null, 2) : formatReconcileReport(result)}\n`)
      process.exitCode = result.failures.length ? 1 : 0
    })
}

function parseLimit(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`)
  return Number(value)
}
