#!/usr/bin/env node
import { Command, CommanderError } from "commander"
import { registerActivate } from "./commands/activate"
import { registerBirthdays } from "./commands/birthdays"
import { registerBacktest } from "./commands/backtest"
import { registerExpire } from "./commands/expire"
import { registerReconcile } from "./commands/reconcile"
import { registerReview } from "./commands/review"
import { registerSchema } from "./commands/schema"
import { registerSimulate } from "./commands/simulate"
import { registerTest } from "./commands/test"
import { registerValidate } from "./commands/validate"
import { registerTiers } from "./commands/tiers"
import { registerVerify } from "./commands/verify"

/** Exit codes: 0 ok, 1 problems found or failure, 2 usage error. */
export const ExitCodes = { OK: 0, PROBLEMS: 1, USAGE: 2 } as const

export function buildProgram(): Command {
  const program = new Command("medusa-loyalty")
    .description("medusa-plugin-loyalty-rules: ledger checks and periodic jobs (run from the Medusa store directory); offline rule tools (validate, test, simulate, schema); backtest of candidate rules against the ledger (read-only)")
    .exitOverride() // inherited by the subcommands below: usage errors reach main() as CommanderError
    .showHelpAfterError("(add --help for usage)")
  registerVerify(program)
  registerExpire(program)
  registerActivate(program)
  registerTiers(program)
  registerBirthdays(program)
  registerReconcile(program)
  registerValidate(program)
  registerTest(program)
  registerSimulate(program)
  registerBacktest(program)
  registerReview(program)
  registerSchema(program)
  return program
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv)
    return typeof process.exitCode === "number" ? process.exitCode : ExitCodes.OK
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; help shown for a missing command, an unknown option or a bad value is a usage error.
      return e.exitCode === 0 ? ExitCodes.OK : ExitCodes.USAGE
    }
    process.stderr.write(`medusa-loyalty: ${(e as Error).message}\n`)
    return ExitCodes.PROBLEMS
  }
}

if (require.main === module) {
  // Exit explicitly: a booted Medusa keeps timers and pools alive after shutdown.
  main(process.argv).then((code) => process.exit(code))
}
