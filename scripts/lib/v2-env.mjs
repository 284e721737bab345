// The environment the v2 suite runs in, for scripts/test-v2.mjs and scripts/test-all.mjs. @medusajs/test-utils reads
// DB_HOST / DB_PORT / DB_USERNAME / DB_PASSWORD, so they are derived from DATABASE_URL; without it, from a local
// PostgreSQL on localhost:5432 (user postgres, trust auth) when one answers, else from an embedded PostgreSQL started
// here on port 5432 (`stop()` stops it). Every process of the run inherits a telemetry-off Medusa config of the run's
// own: no sender forked, the user's ~/.config/medusa untouched (offline-medusa.js; `guard` says whether it was written).
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)
const LOCAL = "postgres://postgres@localhost:5432/postgres"

/** True when a PostgreSQL server answers at `url` within a few seconds. */
async function answers(url) {
  const { Client } = require("pg")
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

/** @returns {Promise<{ env: NodeJS.ProcessEnv, guard: { path: string, written(): boolean }, stop(): Promise<void> }>} */
export async function prepareV2Env(base = process.env, log = (m) => console.log(`[test:v2] ${m}`)) {
  const { quietMedusaEnv, userConfigGuard } = require("./offline-medusa.js")
  const guard = userConfigGuard()
  const env = quietMedusaEnv({ ...base })
  let pg = null
  if (!env.DATABASE_URL && (await answers(LOCAL))) {
    env.DATABASE_URL = LOCAL
    log(`using the local PostgreSQL at ${LOCAL}`)
  }
  if (!env.DATABASE_URL) {
    // On 5432 and with trust auth: parts of @medusajs/test-utils ignore DB_PORT (its afterAll drop, for one) and take
    // the default port; nothing answered there, so the port is free on such a machine.
    const { startEmbeddedPostgres } = await import("./embedded-pg.mjs")
    pg = await startEmbeddedPostgres({ port: 5432, authMethod: "trust" })
    env.DATABASE_URL = `postgres://postgres@127.0.0.1:${pg.port}/postgres`
    log(`embedded PostgreSQL on port ${pg.port}`)
  }
  const url = new URL(env.DATABASE_URL)
  env.DB_HOST ??= url.hostname === "127.0.0.1" ? "localhost" : url.hostname
  env.DB_PORT ??= url.port || "5432"
  env.DB_USERNAME ??= decodeURIComponent(url.username || "postgres")
  env.DB_PASSWORD ??= decodeURIComponent(url.password || "")
  return { env, guard, stop: async () => { if (pg) await pg.stop() } }
}
