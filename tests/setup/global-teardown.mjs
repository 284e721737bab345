// Jest global teardown: stop the embedded PostgreSQL started by global-setup.mjs (if any).
export default async function globalTeardown() {
  const pg = globalThis.__LOYALTY_EMBEDDED_PG__
  if (!pg) return
  globalThis.__LOYALTY_EMBEDDED_PG__ = undefined
  await pg.stop()
}
