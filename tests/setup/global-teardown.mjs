// Jest global teardown: stop the embedded PostgreSQL started by global-setup.mjs (if any), and check that the run left
// the user's ~/.config/medusa as it found it.
export default async function globalTeardown() {
  const guard = globalThis.__LOYALTY_USER_CONFIG_GUARD__
  await stopEmbeddedPostgres()
  // A fresh machine has no Medusa config; a run that created one forked telemetry or changed the user's choice.
  if (guard?.written()) throw new Error(`${guard.path} was created during the test run: a Medusa process ran without the run's own config`)
}

async function stopEmbeddedPostgres() {
  const pg = globalThis.__LOYALTY_EMBEDDED_PG__
  if (!pg) return
  globalThis.__LOYALTY_EMBEDDED_PG__ = undefined
  await pg.stop()
}
