import { Command } from "commander"
import { parseNow, print } from "../options"
import { JOBS_SERVICE, type JobsPort } from "../jobs"
import { withStore } from "../store"

/** `birthdays`: the birthdays job, run once in the store of the current directory. */
export function registerBirthdays(program: Command): void {
  program
    .command("birthdays")
    .description("award the birthday action to members whose birthday is today in the program's time zone (once a year; run in the store directory)")
    .option("--now <date>", "run as of this ISO date instead of the clock", parseNow)
    .option("--json", "print the counts as JSON")
    .option("--verbose", "show Medusa's info logs while booting")
    .action(async (opts: { now?: Date; json?: boolean; verbose?: boolean }) => {
      const now = opts.now ?? new Date()
      const result = await withStore(process.cwd(), { verbose: !!opts.verbose, command: "birthdays" }, (c) => c.resolve<JobsPort>(JOBS_SERVICE).birthdays(now))
      print({ now, birthdays: result }, !!opts.json, (r) =>
        [
          `birthdays on ${r.birthdays.local_date} (as of ${now.toISOString()})`,
          `  ${r.birthdays.candidates} birthday(s): ${r.birthdays.awarded} awarded, ${r.birthdays.already} already awarded, ${r.birthdays.recent_change} changed in the last 30 days, ${r.birthdays.refused} refused by a limit, ${r.birthdays.no_rule} without a rule, ${r.birthdays.failed} failed`,
        ].join("\n")
      )
    })
}
