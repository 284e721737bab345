import type { ExecArgs } from "@medusajs/framework/types"
import { formatReconcileReport } from "../core/domain/ledger/reconcile"
import { runActivateJob } from "../workflows/jobs/activate"
import { runExpireJob } from "../workflows/jobs/expire"
import { runReconcileJob } from "../workflows/jobs/reconcile"
import { runTiersJob } from "../workflows/jobs/tiers"
import { runBirthdaysJob } from "../workflows/actions/report"

/**
 * The operators' commands for a v2 store, named as the CLI's `medusa-loyalty expire|activate|tiers|birthdays|reconcile` so
 * runbooks carry over; run inside the store with `medusa exec`:
 *   npx medusa exec ./node_modules/medusa-plugin-loyalty-rules-v2/.medusa/server/src/scripts/loyalty-jobs.js <command> [options]
 * commands: expire [--now <date>] | activate [--now <date>] | tiers [--now <date>] | birthdays [--now <date>]
 *           | reconcile [--since <date>] [--until <date>] [--limit <n>] [--format text|json]
 * Output: the job's JSON result (reconcile: the core's formatReconcileReport text unless --format json). Exit code 1
 * on a bad command.
 */
export default async function loyaltyJobs({ container, args }: ExecArgs): Promise<unknown> {
  const [command, ...rest] = args ?? []
  const opts = parseOptions(rest)
  const now = opts.now ? date(opts.now, "--now") : new Date()
  let out: unknown
  switch (command) {
    case "expire":
      out = await runExpireJob(container, now)
      break
    case "activate":
      out = await runActivateJob(container, now)
      break
    case "tiers":
      out = await runTiersJob(container, now)
      break
    case "birthdays":
      out = { birthdays: await runBirthdaysJob(container, now) }
      break
    case "reconcile": {
      const result = await runReconcileJob(container, {
        now,
        since: opts.since ? date(opts.since, "--since") : undefined,
        until: opts.until ? date(opts.until, "--until") : undefined,
        limit: opts.limit ? Number(opts.limit) : 1000,
      })
      // eslint-disable-next-line no-console
      console.log(opts.format === "json" ? JSON.stringify({ reconcile: result }, null, 2) : formatReconcileReport(result))
      return { reconcile: result }
    }
    default:
      process.exitCode = 1
      // eslint-disable-next-line no-console
      console.error(`usage: medusa exec <path>/loyalty-jobs.js expire|activate|tiers|birthdays|reconcile [--now <date>] [--since <date>] [--until <date>] [--limit <n>] [--format text|json]`)
      return null
  }
  // eslint-disable-next-line no-console
  console.log(JSON.stringify(out, null, 2))
  return out
}

function parseOptions(args: string[]): Record<string, string> {
  const opts: Record<string, string> = {}
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i])
    if (!m) throw new Error(`unexpected argument ${args[i]}`)
    opts[m[1]] = m[2] ?? args[++i] ?? ""
  }
  return opts
}

function date(text: string, flag: string): Date {
  const d = new Date(text)
  if (Number.isNaN(d.getTime())) throw new Error(`${flag} is not a date: ${text}`)
  return d
}
