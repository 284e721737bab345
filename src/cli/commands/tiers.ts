import { Command } from "commander"
import { parseNow, print } from "../options"
import { JOBS_SERVICE, type JobsPort } from "../jobs"
import { withStore } from "../store"

/** `tiers`: the daily tier re-evaluation, run once in the store of the current directory. */
export function registerTiers(program: Command): void {
  program
    .command("tiers")
    .description("re-evaluate every member's tier and customer group (window facts, grace periods, members enrolled before install)")
    .option("--now <date>", "run as of this ISO date instead of the clock (a later date really ends grace periods)", parseNow)
    .option("--json", "print the counts as JSON")
    .option("--verbose", "show Medusa's info logs while booting")
    .action(async (opts: { now?: Date; json?: boolean; verbose?: boolean }) => {
      const now = opts.now ?? new Date()
      const result = await withStore(process.cwd(), { verbose: !!opts.verbose, command: "tiers" }, (c) => c.resolve<JobsPort>(JOBS_SERVICE).tiers(now))
      print({ now, ...result }, !!opts.json, (r) =>
        `tiers as of ${now.toISOString()}: ${r.accounts_checked} account(s) checked, ${r.upgraded} upgraded, ${r.downgraded} downgraded, ${r.unchanged} unchanged`
      )
    })
}
