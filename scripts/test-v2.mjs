#!/usr/bin/env node
// `npm run test:v2` (and the end of `npm test`): the Medusa v2 plugin's suite in v2/, on the same PostgreSQL as the
// root suite. @medusajs/test-utils reads DB_HOST / DB_PORT / DB_USERNAME / DB_PASSWORD, so they are derived here from
// DATABASE_URL, or from an embedded PostgreSQL started (and stopped) here when DATABASE_URL is unset, as the root
// suite does. The root is compiled first: the v2 suite drives the root CLI (verify, backtest on a v2 database).
import { spawnSync } from "node:child_process"
import path from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const V2 = path.join(ROOT, "v2")

/** Runs a command, inheriting stdio; exits this process with its status when it fails. */
function run(cmd, args, cwd, env) {
  const t = Date.now()
  const r = spawnSync(cmd, args, { cwd, env, stdio: "inherit" })
  console.log(`[test:v2] ${cmd} ${args.join(" ")}: exit ${r.status} in ${((Date.now() - t) / 1000).toFixed(0)} s`)
  return r.status ?? 1
}

let pg = null
const env = { ...process.env, MEDUSA_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "1" }
if (!env.DATABASE_URL) {
  const { startEmbeddedPostgres } = await import("./lib/embedded-pg.mjs")
  pg = await startEmbeddedPostgres()
  env.DATABASE_URL = pg.url
  console.log(`[test:v2] embedded PostgreSQL on port ${pg.port}`)
}
const url = new URL(env.DATABASE_URL)
env.DB_HOST ??= url.hostname === "127.0.0.1" ? "localhost" : url.hostname
env.DB_PORT ??= url.port || "5432"
env.DB_USERNAME ??= decodeURIComponent(url.username || "postgres")
env.DB_PASSWORD ??= decodeURIComponent(url.password || "")

let status = run("npx", ["tsc", "-p", "tsconfig.build.json"], ROOT, env)
if (status === 0) status = run("npm", ["install", "--no-audit", "--no-fund"], V2, env)
if (status === 0) status = run("npm", ["test"], V2, env)
if (pg) await pg.stop()
process.exit(status)
