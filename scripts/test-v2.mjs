#!/usr/bin/env node
// `npm run test:v2` (and the end of `npm test`): the Medusa v2 plugin's suite in v2/. @medusajs/test-utils reads
// DB_HOST / DB_PORT / DB_USERNAME / DB_PASSWORD, so they are derived here from DATABASE_URL; without it, from a local
// PostgreSQL on localhost:5432 (user postgres, trust auth) when one answers, else from an embedded PostgreSQL started
// (and stopped) here on port 5432. The root is compiled first: the v2 suite drives the root CLI (verify, backtest on a v2 database).
// A run that hangs is killed after V2_TEST_TIMEOUT_MIN minutes (default 45) and fails, rather than stalling CI.
import { spawnSync } from "node:child_process"
import { createRequire } from "node:module"
import path from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const V2 = path.join(ROOT, "v2")

/** Runs a command, inheriting stdio; exits this process with its status when it fails. */
function run(cmd, args, cwd, env, timeout = 0) {
  const t = Date.now()
  const r = spawnSync(cmd, args, { cwd, env, stdio: "inherit", timeout, killSignal: "SIGKILL" })
  if (r.error) console.log(`[test:v2] ${cmd} ${args.join(" ")}: ${r.error.message}`)
  console.log(`[test:v2] ${cmd} ${args.join(" ")}: exit ${r.status} in ${((Date.now() - t) / 1000).toFixed(0)} s`)
  return r.status ?? 1
}

/** True when a PostgreSQL server answers at `url` within a few seconds. */
async function answers(url) {
  const { Client } = createRequire(import.meta.url)("pg")
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query("SELECT 1")
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

let pg = null
// Every process of the v2 run (jest, its in-process apps, `medusa build|start` in fresh apps) inherits a telemetry-off
// Medusa config of the run's own: no sender forked, the user's ~/.config/medusa untouched (lib/offline-medusa.js).
const { quietMedusaEnv, userConfigGuard } = createRequire(import.meta.url)("./lib/offline-medusa.js")
const guard = userConfigGuard()
const env = quietMedusaEnv({ ...process.env })
const LOCAL = "postgres://postgres@localhost:5432/postgres"
if (!env.DATABASE_URL && (await answers(LOCAL))) {
  env.DATABASE_URL = LOCAL
  console.log(`[test:v2] using the local PostgreSQL at ${LOCAL}`)
}
if (!env.DATABASE_URL) {
  // On 5432 and with trust auth: parts of @medusajs/test-utils ignore DB_PORT (its afterAll drop, for one) and take
  // the default port; nothing answered there, so the port is free on such a machine.
  const { startEmbeddedPostgres } = await import("./lib/embedded-pg.mjs")
  pg = await startEmbeddedPostgres({ port: 5432, authMethod: "trust" })
  env.DATABASE_URL = `postgres://postgres@127.0.0.1:${pg.port}/postgres`
  console.log(`[test:v2] embedded PostgreSQL on port ${pg.port}`)
}
const url = new URL(env.DATABASE_URL)
env.DB_HOST ??= url.hostname === "127.0.0.1" ? "localhost" : url.hostname
env.DB_PORT ??= url.port || "5432"
env.DB_USERNAME ??= decodeURIComponent(url.username || "postgres")
env.DB_PASSWORD ??= decodeURIComponent(url.password || "")

// Under `npm test` (scripts/test-all.mjs) the root is built already, and recompiling it would rewrite dist/ under the root
// suite running alongside.
let status = env.LOYALTY_ROOT_BUILT === "1" ? 0 : run("npx", ["tsc", "-p", "tsconfig.build.json"], ROOT, env)
if (status === 0) status = run("npm", ["install", "--no-audit", "--no-fund"], V2, env)
const minutes = Number(env.V2_TEST_TIMEOUT_MIN || 45)
if (status === 0) status = run("npm", ["test"], V2, env, minutes * 60_000)
if (pg) await pg.stop()
if (guard.written()) {
  console.log(`[test:v2] ${guard.path} was created during the run: a Medusa process ran without the run's own config`)
  status ||= 1
}
process.exit(status)
