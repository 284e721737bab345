import { Command } from "commander"
import { formatVerifyReport, VerifyReport } from "../../domain/verify"
import { verifyLedger } from "../../utils/ledger-verify"
import { print } from "../options"
import { pgClient, storeProjectConfig } from "../store"

/** `verify`: ledger integrity, read-only, over a plain pg connection (no Medusa boot). Exit 1 on drift. */
export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("check the points ledger: balances = Σ entries, the balance_after chain, pending, lifetime, unique keys")
    .option("--database-url <url>", "PostgreSQL URL of the store (default: database_url of ./medusa-config.js)")
    .option("--json", "print the report as JSON")
    .action(async (opts: { databaseUrl?: string; json?: boolean }) => {
      const report = await verifyDatabase(opts.databaseUrl)
      print(report, !!opts.json, formatVerifyReport)
      process.exitCode = report.ok ? 0 : 1
    })
}

async function verifyDatabase(databaseUrl: string | undefined): Promise<VerifyReport> {
  const cwd = process.cwd()
  const config = databaseUrl ? { database_url: databaseUrl } : storeProjectConfig(cwd)
  if (!config.database_url) {
    throw new Error("no database: pass --database-url or run from a store directory whose medusa-config.js sets database_url")
  }
  const Client = pgClient(cwd)
  const client = new Client({ ...(config.database_extra ?? {}), connectionString: config.database_url })
  await client.connect()
  try {
    // One snapshot: postings that land during the check cannot look like drift.
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    const report = await verifyLedger(async (sql, params) => (await client.query(sql, params)).rows)
    await client.query("COMMIT")
    return report
  } finally {
    await client.end()
  }
}
