import { createRequire } from "node:module"

const { quietMedusaEnv, userConfigGuard } = createRequire(import.meta.url)("../../scripts/lib/offline-medusa.js")

// Jest global setup: give integration tests a PostgreSQL server.
// DATABASE_URL set → use it. Otherwise start an embedded PostgreSQL (~1–2 s) and stop it in global-teardown.
// Tests read the admin URL from LOYALTY_TEST_DATABASE_URL and create their own throwaway databases.
export default async function globalSetup() {
  // Jest's real environment (test sandboxes copy it, every process a test starts inherits it): no Medusa process of
  // this run forks a telemetry sender or writes the user's ~/.config/medusa (scripts/lib/offline-medusa.js).
  globalThis.__LOYALTY_USER_CONFIG_GUARD__ = userConfigGuard()
  quietMedusaEnv(process.env)
  if (process.env.LOYALTY_TEST_DATABASE_URL) return
  if (process.env.DATABASE_URL) {
    process.env.LOYALTY_TEST_DATABASE_URL = process.env.DATABASE_URL
    return
  }
  // Unit-only runs need no database: skip the embedded server when no integration test is selected.
  const argv = process.argv.slice(2).filter((a) => !a.startsWith("-"))
  if (argv.length > 0 && argv.every((a) => /(^|\/)tests\/unit(\/|$)/.test(a))) return
  const { startEmbeddedPostgres } = await import("../../scripts/lib/embedded-pg.mjs")
  const t0 = Date.now()
  const pg = await startEmbeddedPostgres({ log: !!process.env.LOYALTY_PG_LOG })
  globalThis.__LOYALTY_EMBEDDED_PG__ = pg
  process.env.LOYALTY_TEST_DATABASE_URL = pg.url
  if (process.env.LOYALTY_HARNESS_VERBOSE) console.log(`\n[global-setup] embedded PostgreSQL on port ${pg.port} in ${Date.now() - t0} ms`)
}
