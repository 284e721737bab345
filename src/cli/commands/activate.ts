import { Command } from "commander"
import { parseNow, print } from "../options"
import { JOBS_SERVICE, type JobsPort } from "../jobs"
import { withStore } from "../store"

/** `activate`: the hourly activation job, run once in the store of the current directory. */
export function registerActivate(program: Command): void {
  program
    .command("activate")
    .description("make pending points available once what they wait for holds: the order went out and the pending period passed, its payment captured (spendable_on), or both (run in the store directory)")
    .option("--now <date>", "run as of this ISO date instead of the clock", parseNow)
    .option("--json", "print the counts as JSON")
    .option("--verbose", "show Medusa's info logs while booting")
    .action(async (opts: { now?: Date; json?: boolean; verbose?: boolean }) => {
      const now = opts.now ?? new Date()
      const counts = await withStore(process.cwd(), { verbose: !!opts.verbose, command: "activate" }, (c) => c.resolve<JobsPort>(JOBS_SERVICE).activate(now))
      print({ now, ...counts }, !!opts.json, (r) =>
        `activate as of ${now.toISOString()}: ${r.points_activated} point(s) activated in ${r.entries_posted} entr${r.entries_posted === 1 ? "y" : "ies"}, ${r.orders_checked} pending order(s) and ${r.awards_checked} pending award(s) checked`
      )
    })
}
