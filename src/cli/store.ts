import { Option } from "commander"
import { createRequire } from "module"
import path from "path"

/**
 * Access to the Medusa store the CLI runs in (the current directory). Everything Medusa is required FROM THE
 * STORE's node_modules, so the container is the store's own (one copy of @medusajs/medusa, as in `medusa start`).
 */
export type StoreContainer = { resolve<T = unknown>(name: string): T; hasRegistration?(name: string): boolean }

export function storeRequire(directory: string): NodeRequire {
  return createRequire(path.join(directory, "package.json"))
}

/** The major version of the Medusa installed in the store directory (`@medusajs/medusa`), null when there is none. */
export function storeMedusaMajor(directory: string): number | null {
  try {
    return Number(String(storeRequire(directory)("@medusajs/medusa/package.json").version).split(".")[0])
  } catch {
    return null
  }
}

/** Where the v2 package's job script is once installed in a store (`medusa exec` runs it in the store's container). */
export const V2_JOBS_SCRIPT = "./node_modules/medusa-plugin-loyalty-rules-v2/.medusa/server/src/scripts/loyalty-jobs.js"

/**
 * Why `command` cannot boot this store, with what to run instead; null when it can (a Medusa 1 store). The commands
 * that boot a store (the jobs, simulate by id) load Medusa 1's container; a Medusa 2 store runs the jobs in its own
 * container with `medusa exec`, or over the admin routes.
 */
export function bootRefusal(command: string, major: number | null, directory: string): string | null {
  if (major === 1) return null
  if (major === null) return `${command} runs in a Medusa store directory (none found in ${directory}: @medusajs/medusa is not installed here)`
  if (command === "simulate") {
    return `simulate by order or customer id reads a Medusa 1 store; this is Medusa ${major}: POST /admin/loyalty/simulate { order_id } simulates a stored order (facts files work offline here)`
  }
  return [
    `${command} boots a Medusa 1 store; this is Medusa ${major}. Run the job inside the store:`,
    `  npx medusa exec ${V2_JOBS_SCRIPT} ${command} [--now <date>]${command === "reconcile" ? " [--since <date>] [--until <date>] [--limit <n>] [--format text|json]" : ""}`,
    `or call POST /admin/loyalty/jobs/${command} (the scheduled jobs run them on their own).`,
  ].join("\n")
}

/**
 * The store's database settings: a Medusa 1 store's projectConfig (medusa-config.js) read the way Medusa reads it,
 * without booting anything. A Medusa 2 store's medusa-config.ts is TypeScript reading its environment, so it is not
 * loaded: its DATABASE_URL is used when set.
 */
export function storeProjectConfig(directory: string): { database_url?: string; database_extra?: Record<string, unknown> } {
  const major = storeMedusaMajor(directory)
  if (major === null) return {}
  if (major >= 2) return { database_url: process.env.DATABASE_URL || undefined }
  const load = storeRequire(directory)("@medusajs/medusa/dist/loaders/config").default
  return quietly(() => load(directory).projectConfig)
}

/**
 * Boots the store like Medusa's own commands (`medusa user`, `medusa seed`): loaders with a throwaway express
 * app, no HTTP server; runs `work` with the container; always shuts Medusa down.
 */
export async function withStore<T>(directory: string, opts: { verbose: boolean; command: string }, work: (c: StoreContainer) => Promise<T>): Promise<T> {
  const refusal = bootRefusal(opts.command, storeMedusaMajor(directory), directory)
  if (refusal) throw new Error(refusal)
  // Medusa logs to stdout; while it runs send that to stderr, so stdout carries only the command's report.
  const stdoutWrite = process.stdout.write
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write
  try {
    return await booted(directory, opts, work)
  } finally {
    process.stdout.write = stdoutWrite
  }
}

async function booted<T>(directory: string, opts: { verbose: boolean }, work: (c: StoreContainer) => Promise<T>): Promise<T> {
  const req = storeRequire(directory)
  const logger = req("@medusajs/medusa/dist/loaders/logger").default
  logger.setLogLevel?.(opts.verbose ? "info" : "warn")
  const express = req("express")
  const loaders = req("@medusajs/medusa/dist/loaders").default
  const { container, shutdown } = await loaders({ directory, expressApp: express(), isTest: false })
  try {
    return await work(container)
  } finally {
    await container.resolve("eventBusService").stopEnqueuer?.().catch(() => undefined)
    await shutdown()
  }
}

/** pg's Client: the plugin's own, else the store's (Medusa always brings pg). */
export function pgClient(directory: string): new (config: Record<string, unknown>) => PgClient {
  try {
    return require("pg").Client
  } catch {
    return storeRequire(directory)("pg").Client
  }
}

export interface PgClient {
  connect(): Promise<void>
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>
  end(): Promise<void>
}

// medusa's config loader prints a notice on stdout when redis_url is missing: keep stdout for our report.
function quietly<T>(fn: () => T): T {
  const log = console.log
  console.log = () => undefined
  try {
    return fn()
  } finally {
    console.log = log
  }
}

export type Query = (sql: string, params?: unknown[]) => Promise<any[]>

/**
 * `--medusa-version <1|2>` of the database commands: which Medusa's tables the store has (detected from the schema
 * when absent). A Medusa v2 store's database URL is passed with --database-url (its medusa-config.ts is not read).
 */
export function medusaVersionOption(): Option {
  return new Option("--medusa-version <major>", "the store's Medusa major, 1 or 2 (default: detected from its tables)").choices(["1", "2"])
}

/**
 * One read-only snapshot of the store database (`--database-url`, else the store's medusa-config.js): postings that
 * land meanwhile cannot show up half-way. Rolled back at the end whatever happens.
 */
export async function withReadOnly<T>(databaseUrl: string | undefined, work: (query: Query) => Promise<T>): Promise<T> {
  const cwd = process.cwd()
  const config = databaseUrl ? { database_url: databaseUrl } : storeProjectConfig(cwd)
  if (!config.database_url) {
    throw new Error(
      "no database: pass --database-url, or run from a Medusa 1 store directory whose medusa-config.js sets database_url (a Medusa 2 store: --database-url or DATABASE_URL)"
    )
  }
  const Client = pgClient(cwd)
  const client = new Client({ ...(config.database_extra ?? {}), connectionString: config.database_url })
  await client.connect()
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try {
      return await work(async (sql, params) => (await client.query(sql, params)).rows)
    } finally {
      await client.query("ROLLBACK").catch(() => undefined)
    }
  } finally {
    await client.end()
  }
}
