import { Command } from "commander"
import { formatVerifyReport, VerifyReport } from "../../domain/ledger/verify"
import { verifyLedger } from "../../utils/ledger-verify"
import { medusaSchemaOf } from "../../utils/medusa-schema"
import { print } from "../options"
import { medusaVersionOption, withReadOnly } from "../store"

/** `verify`: ledger integrity, read-only, over a plain pg connection (no Medusa boot). Exit 1 on drift. */
export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("check the points ledger: balances = Σ entries, the balance_after chain, pending, lifetime, unique keys")
    .option("--database-url <url>", "PostgreSQL URL of the store (default: database_url of ./medusa-config.js)")
    .option("--json", "print the report as JSON")
    .addOption(medusaVersionOption())
    .action(async (opts: { databaseUrl?: string; json?: boolean; medusaVersion?: string }) => {
      const report = await verifyDatabase(opts.databaseUrl, opts.medusaVersion)
      print(report, !!opts.json, formatVerifyReport)
      process.exitCode = report.ok ? 0 : 1
    })
}

async function verifyDatabase(databaseUrl: string | undefined, medusaVersion: string | undefined): Promise<VerifyReport> {
  return await withReadOnly(databaseUrl, async (query) => verifyLedger(query, undefined, { schema: await medusaSchemaOf(query, medusaVersion) }))
}
