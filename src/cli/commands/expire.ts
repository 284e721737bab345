import { Command } from "commander"
import { parseNow, print } from "../options"
import { JOBS_SERVICE, type JobsPort } from "../jobs"
import { withStore } from "../store"

/** `expire`: the daily expiry job, run once in the store of the current directory. */
export function registerExpire(program: Command): void {
  program
    .command("expire")
    .description("void expired redemption codes, then expire points older than the program's period (run in the store directory)")
    .option("--now <date>", "run as of this ISO date instead of the clock (a later date really expires points)", parseNow)
    .option("--json", "print the counts as JSON")
    .option("--verbose", "show Medusa's info logs while booting")
    .action(async (opts: { now?: Date; json?: boolean; verbose?: boolean }) => {
      const now = opts.now ?? new Date()
      const result = await withStore(process.cwd(), { verbose: !!opts.verbose, command: "expire" }, (c) => c.resolve<JobsPort>(JOBS_SERVICE).expire(now))
      print({ now, ...result }, !!opts.json, (r) =>
        [
          `expire as of ${now.toISOString()}`,
          `  points: ${r.expiry.enabled ? `${r.expiry.points_expired} expired in ${r.expiry.entries_posted} entr${r.expiry.entries_posted === 1 ? "y" : "ies"}, ${r.expiry.accounts_checked} account(s) checked` : "expiry is off (program expiry: null)"}`,
          `  redemptions: ${r.redemptions ? JSON.stringify(r.redemptions) : "not installed"}`,
          `  reminders: ${r.reminders.enabled ? `${r.reminders.emitted} emitted (loyalty.points_expiring), ${r.reminders.accounts_checked} account(s) checked` : "off (no expiry, or expiry_reminder_days 0)"}`,
        ].join("\n")
      )
    })
}
