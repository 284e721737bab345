// A real Medusa 2.21 app with the packed v2 plugin installed, for the root's `npm run bench` (bench/sections/v2-*.mjs):
// the pack-install of integration-tests/pack/fresh-app.spec.ts (npm pack → a hand-written host app installs the
// tarball → medusa db:migrate → medusa start), with the slow parts cached under .cache/bench-v2-app/ at the
// repository root (gitignored; outside v2/ so that v2's jest and tsc never crawl the app's node_modules):
// the app's node_modules stays; the tarball is re-packed and re-installed only when the plugin's inputs changed
// (v2/src, v2's package.json and tsconfig, the root's src/domain and rules/). Every run gets its own throwaway
// database (dropped by stop()), a copy of a migrated template kept per schema hash (loyalty_bench_v2_tpl_<hash>: migrations, links, dependencies).
//
// The host app carries bench-only routes (the plugin is not touched): POST /admin/loyalty-bench/orders
// creates orders with Medusa's createOrderWorkflow (which emits no order.placed, so they are never awarded), and
// POST /admin/loyalty-bench/order-placed/:id runs the plugin's own order.placed subscriber on one order in the
// server process and answers its duration; GET /loyalty-bench/sql answers the server's SQL round trips so far
// (node-postgres' Client.prototype.query counted by bench-preload.js, loaded with NODE_OPTIONS=--require).
// Plain CommonJS, no dependency beyond Node and `pg` (resolved by the caller).

const crypto = require("crypto")
const fs = require("fs")
const net = require("net")
const path = require("path")
const { execFile, spawn } = require("child_process")

const V2 = path.resolve(__dirname, "..", "..")
const ROOT = path.resolve(V2, "..")
const CACHE = path.join(ROOT, ".cache", "bench-v2-app")
const MEDUSA = "2.21.2"
/** Bump when the generated app's package.json or config changes: the next run re-packs and re-installs (the bench
 * routes and the preload are rewritten on every run). */
const APP_LAYOUT = "1"
const ADMIN = { email: "bench@loyalty.test", password: "bench-secret" }

/** Whether v2/ has its dependencies (the bench skips the v2 sections otherwise). */
function v2Installed() {
  return fs.existsSync(path.join(V2, "node_modules", "@medusajs", "medusa", "package.json"))
}

/** sha256 over the files the packed plugin is built from (relative path + content, sorted). */
function pluginInputsHash() {
  const hash = crypto.createHash("sha256")
  const walk = walker(hash)
  walk(path.join(V2, "src"), "v2/src")
  walk(path.join(ROOT, "src", "domain"), "src/domain")
  walk(path.join(ROOT, "rules"), "rules")
  for (const f of ["package.json", "tsconfig.json"]) hash.update(f).update(fs.readFileSync(path.join(V2, f)))
  hash.update(`layout ${APP_LAYOUT}`)
  return hash.digest("hex").slice(0, 16)
}

/**
 * sha256 over what decides the migrated database (the modules' migrations, module links, the dependencies): the
 * template database is kept per this hash, so a change to the plugin's code alone re-packs but does not re-migrate.
 */
function schemaInputsHash() {
  const hash = crypto.createHash("sha256")
  const walk = walker(hash)
  const modules = path.join(V2, "src", "modules")
  for (const name of fs.existsSync(modules) ? fs.readdirSync(modules).sort() : []) walk(path.join(modules, name, "migrations"), `v2/src/modules/${name}/migrations`)
  walk(path.join(V2, "src", "links"), "v2/src/links")
  hash.update("package.json").update(fs.readFileSync(path.join(V2, "package.json")))
  hash.update(`layout ${APP_LAYOUT}`)
  return hash.digest("hex").slice(0, 16)
}

/** Adds the files under a directory (relative path + content, sorted) to `hash`; sync-core's copy and node_modules left out. */
function walker(hash) {
  const walk = (dir, rel) => {
    if (!fs.existsSync(dir)) return
    for (const name of fs.readdirSync(dir).sort()) {
      const abs = path.join(dir, name)
      const r = `${rel}/${name}`
      if (r === "v2/src/core" || name === "node_modules") continue // v2/src/core is sync-core's copy of src/domain
      const st = fs.statSync(abs)
      if (st.isDirectory()) walk(abs, r)
      else hash.update(r).update("\0").update(fs.readFileSync(abs)).update("\0")
    }
  }
  return walk
}

// npm and the setup commands run with NODE_ENV=development (production would make npm omit ts-node, which the medusa
// CLI needs to read medusa-config.ts); the measured server runs with NODE_ENV=production, as a store does.
const env = () => ({ ...process.env, MEDUSA_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "1", NODE_ENV: "development" })

/** Runs a command, resolves with stdout; rejects with the tail of its output. */
function run(cmd, args, cwd, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: { ...env(), ...extraEnv }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} failed (exit ${err.code}):\n${String(stdout).slice(-3000)}\n${String(stderr).slice(-3000)}`))
      else resolve(String(stdout))
    })
  })
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address())
      srv.close(() => resolve(port))
    })
  })
}

// Counts the SQL round trips of the server (every copy of node-postgres in the app, Client.prototype.query), read by
// GET /loyalty-bench/sql: loaded into `medusa start` with NODE_OPTIONS=--require. One increment per query.
const PRELOAD = `const fs = require("fs")
const path = require("path")
// texts: the statements' text (the last 5000), so a profile can say where the round trips go.
const counter = (globalThis.__loyaltyBenchSql = { count: 0, texts: [] })
// gc: the main thread's garbage-collection pauses so far (ms; major: mark-compact), beside the CPU the route answers.
const gc = (globalThis.__loyaltyBenchGc = { ms: 0, major_ms: 0 })
new (require("perf_hooks").PerformanceObserver)((list) => {
  for (const e of list.getEntries()) {
    gc.ms += e.duration
    if (e.detail?.kind === 2) gc.major_ms += e.duration
  }
}).observe({ entryTypes: ["gc"] })
const nm = path.join(process.cwd(), "node_modules")
const dirs = [path.join(nm, "pg")]
for (const name of fs.existsSync(nm) ? fs.readdirSync(nm) : []) {
  const pkgs = name.startsWith("@") ? fs.readdirSync(path.join(nm, name)).map((n) => path.join(nm, name, n)) : [path.join(nm, name)]
  for (const dir of pkgs) if (fs.existsSync(path.join(dir, "node_modules", "pg", "lib", "client.js"))) dirs.push(path.join(dir, "node_modules", "pg"))
}
for (const dir of dirs) {
  if (!fs.existsSync(path.join(dir, "lib", "client.js"))) continue
  const Client = require(path.join(dir, "lib", "client.js"))
  if (Client.prototype.query.loyaltyBenchCounted) continue
  const query = Client.prototype.query
  Client.prototype.query = function (...args) {
    counter.count++
    const text = typeof args[0] === "string" ? args[0] : String(args[0]?.text ?? "")
    counter.texts.push(text.replace(/\\s+/g, " ").slice(0, 1000))
    if (counter.texts.length > 5000) counter.texts.splice(0, 1000)
    return query.apply(this, args)
  }
  Client.prototype.query.loyaltyBenchCounted = true
}
`

const BENCH_ROUTES = {
  // Outside /admin and /store: no auth middleware, no query of its own.
  "src/api/loyalty-bench/sql/route.ts": `import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"

/**
 * Bench-only: the server's SQL round trips so far (bench-preload.js), null without the preload; with ?texts=<n>
 * also the text of the last n statements. cpu_us: the server process's CPU time so far (user + system, µs); gc_ms /
 * gc_major_ms: its main thread's garbage-collection pauses so far, all / mark-compact only (ms); heap_used_mb.
 */
export const GET = async (req: MedusaRequest, res: MedusaResponse) => {
  const counter = (globalThis as any).__loyaltyBenchSql
  const n = Number((req.query as any)?.texts ?? 0)
  const cpu = process.cpuUsage()
  const gc = (globalThis as any).__loyaltyBenchGc
  res.json({
    count: counter?.count ?? null, cpu_us: cpu.user + cpu.system, gc_ms: gc?.ms ?? null, gc_major_ms: gc?.major_ms ?? null,
    heap_used_mb: Math.round(process.memoryUsage().heapUsed / 1e6), ...(n > 0 ? { texts: (counter?.texts ?? []).slice(-n) } : {}),
  })
}
`,
  // Orders that never emitted order.placed: createOrderWorkflow (prices from the variant, the customer's region).
  "src/api/admin/loyalty-bench/orders/route.ts": `import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { createOrderWorkflow } from "@medusajs/medusa/core-flows"

/** Bench-only: creates \`count\` orders with Medusa's createOrderWorkflow (no order.placed is emitted). */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const { count = 1, ...input } = req.body as any
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const { result } = await createOrderWorkflow(req.scope).run({ input })
    ids.push(result.id)
  }
  res.json({ ids })
}
`,
  // The plugin's own order.placed subscriber, called as the event bus calls it, timed in the server process.
  "src/api/admin/loyalty-bench/order-placed/[id]/route.ts": `import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import orderPlacedAccrue from "medusa-plugin-loyalty-rules-v2/subscribers/order-placed-accrue"

/** Bench-only: runs the plugin's order.placed subscriber for one order; answers its duration in ms. */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const t0 = process.hrtime.bigint()
  await orderPlacedAccrue({ event: { name: "order.placed", data: { id: req.params.id } }, container: req.scope, pluginOptions: {} } as any)
  res.json({ ms: Number(process.hrtime.bigint() - t0) / 1e6 })
}
`,
}

// The host app's config, rewritten on every run (no install needed): LOYALTY_BENCH_WITHOUT_PLUGIN=1 boots the same
// app without the plugin (the bench's baseline store: its database, a copy of the same template, keeps the
// plugin's tables, which nothing then uses).
const MEDUSA_CONFIG = `import { loadEnv, defineConfig } from "@medusajs/framework/utils"
loadEnv(process.env.NODE_ENV || "development", process.cwd())
module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: { storeCors: "*", adminCors: "*", authCors: "*", jwtSecret: "bench", cookieSecret: "bench" },
  },
  admin: { disable: true },
  plugins:
    process.env.LOYALTY_BENCH_WITHOUT_PLUGIN === "1"
      ? []
      : [{ resolve: "medusa-plugin-loyalty-rules-v2", options: { auto_enroll: true } }],
})
`

/** Writes the host app (as fresh-app.spec.ts does) depending on the given tarball. */
function writeApp(tarballName) {
  const pkg = {
    name: "loyalty-bench-host-app",
    version: "0.0.1",
    private: true,
    dependencies: {
      "@medusajs/admin-sdk": MEDUSA,
      "@medusajs/cli": MEDUSA,
      "@medusajs/framework": MEDUSA,
      "@medusajs/medusa": MEDUSA,
      "medusa-plugin-loyalty-rules-v2": `file:./${tarballName}`,
    },
    devDependencies: { "@swc/core": "1.16.22", "@types/node": "20.19.0", "ts-node": "10.9.2", typescript: "5.9.3" },
  }
  fs.writeFileSync(path.join(CACHE, "package.json"), JSON.stringify(pkg, null, 2) + "\n")
  fs.writeFileSync(
    path.join(CACHE, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2021", esModuleInterop: true, module: "Node16", moduleResolution: "Node16", emitDecoratorMetadata: true,
        experimentalDecorators: true, skipLibCheck: true, declaration: false, sourceMap: false, inlineSourceMap: true,
        outDir: "./.medusa/server", rootDir: "./", jsx: "react-jsx", resolveJsonModule: true, checkJs: false, strictNullChecks: true,
      },
      "ts-node": { swc: true },
      include: ["**/*", ".medusa/types/*"],
      exclude: ["node_modules", ".medusa/server", ".medusa/admin", ".cache"],
    }, null, 2) + "\n"
  )
}

/** The bench-only files of the host app (routes, preload, config): rewritten on every run, no install needed. */
function writeBenchFiles() {
  for (const [rel, text] of Object.entries({ ...BENCH_ROUTES, "bench-preload.js": PRELOAD, "medusa-config.ts": MEDUSA_CONFIG })) {
    fs.mkdirSync(path.dirname(path.join(CACHE, rel)), { recursive: true })
    fs.writeFileSync(path.join(CACHE, rel), text)
  }
}

/**
 * The host app with the current plugin installed: packs and installs only when the plugin's inputs changed since
 * the cached install. @param {(msg: string) => void} log @returns {Promise<{ dir: string, hash: string, reused: boolean }>}
 */
async function prepareApp(log) {
  const hash = pluginInputsHash()
  const marker = path.join(CACHE, ".installed")
  if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8").trim() === hash && fs.existsSync(path.join(CACHE, "node_modules", "medusa-plugin-loyalty-rules-v2"))) {
    log(`v2 app: reusing ${path.relative(ROOT, CACHE)} (plugin inputs ${hash} unchanged)`)
    writeBenchFiles()
    return { dir: CACHE, hash, reused: true }
  }
  fs.mkdirSync(CACHE, { recursive: true })
  let t = Date.now()
  const packDir = fs.mkdtempSync(path.join(CACHE, ".pack-"))
  try {
    log("v2 app: npm pack (prepack builds the plugin: sync-core + medusa plugin:build)")
    const out = await run("npm", ["pack", "--pack-destination", packDir], V2)
    const packed = out.trim().split("\n").pop()
    const tarballName = `plugin-${hash}.tgz`
    for (const f of fs.readdirSync(CACHE)) if (/^plugin-.*\.tgz$/.test(f)) fs.rmSync(path.join(CACHE, f))
    fs.renameSync(path.join(packDir, packed), path.join(CACHE, tarballName))
    log(`  packed in ${((Date.now() - t) / 1000).toFixed(0)} s`)
    writeApp(tarballName)
  } finally {
    fs.rmSync(packDir, { recursive: true, force: true })
  }
  t = Date.now()
  const fresh = !fs.existsSync(path.join(CACHE, "node_modules", "@medusajs", "medusa"))
  log(`v2 app: npm install in ${path.relative(ROOT, CACHE)} (${fresh ? "first install, ~2–3 min" : "the new tarball only"})`)
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--include=dev"], CACHE)
  log(`  installed in ${((Date.now() - t) / 1000).toFixed(0)} s`)
  writeBenchFiles()
  fs.writeFileSync(marker, hash + "\n")
  return { dir: CACHE, hash, reused: false }
}

/**
 * Boots the host app on a throwaway database of the PostgreSQL server `baseDbUrl` (an admin URL).
 * @param {{ baseDbUrl: string, log?: (msg: string) => void, pg: any, withoutPlugin?: boolean }} opts `pg`: the caller's
 *   node-postgres module; `withoutPlugin`: the same app with no plugin in its config (a baseline store)
 * @returns {Promise<{ baseUrl: string, databaseUrl: string, databaseName: string, template: string, fromTemplate: boolean, admin: { email: string, password: string },
 *   timings: Record<string, number>, hash: string, reused: boolean, stop: () => Promise<void> }>}
 */
async function startBenchApp({ baseDbUrl, log = () => {}, pg, withoutPlugin = false }) {
  if (!v2Installed()) throw new Error("v2/ is not installed: cd v2 && npm install --no-audit --no-fund")
  const timings = {}
  let t = Date.now()
  // The app without the plugin needs the installed host app, not the current plugin: it never re-packs (another
  // edit to v2/src between the two boots would otherwise re-install the tarball under the running plugin app).
  const installed = fs.existsSync(path.join(CACHE, "node_modules", "@medusajs", "medusa", "package.json"))
  const app = withoutPlugin && installed ? (writeBenchFiles(), { dir: CACHE, hash: "none", reused: true }) : await prepareApp(log)
  timings.prepare_ms = Date.now() - t

  const databaseName = `loyalty_bench_v2_${process.pid}_${Date.now()}`
  // A migrated database (with the admin user) is kept as a template per schema hash (migrations, links,
  // dependencies): `medusa db:migrate` and `medusa user` take 1–3 min here, CREATE DATABASE … TEMPLATE a second.
  // Older templates are dropped.
  const template = `loyalty_bench_v2_tpl_${schemaInputsHash()}`
  const sql = async (text) => {
    const c = new pg.Client({ connectionString: baseDbUrl })
    await c.connect()
    try {
      return (await c.query(text)).rows
    } finally {
      await c.end()
    }
  }
  const haveTemplate = (await sql(`SELECT 1 FROM pg_database WHERE datname = '${template}'`)).length > 0
  await sql(haveTemplate ? `CREATE DATABASE "${databaseName}" TEMPLATE "${template}"` : `CREATE DATABASE "${databaseName}"`)
  // Medusa forces SSL for database hosts other than "localhost".
  const url = new URL(baseDbUrl.replace("@127.0.0.1:", "@localhost:"))
  url.pathname = `/${databaseName}`
  const databaseUrl = url.toString()
  let server = null
  let serverLog = ""
  const killServer = () => {
    if (server?.pid && server.exitCode === null) {
      try {
        process.kill(-server.pid, "SIGKILL") // its process group (npx and medusa), started here
      } catch {
        /* gone */
      }
    }
  }
  process.on("exit", killServer)
  const stop = async () => {
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise((r) => server.once("exit", r))
      try {
        process.kill(-server.pid, "SIGTERM")
      } catch {
        /* gone */
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
      killServer()
    }
    process.removeListener("exit", killServer)
    await sql(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`)
  }
  try {
    if (haveTemplate) {
      log(`v2 app: database ${databaseName} from the migrated template ${template}`)
      timings.migrate_ms = 0
      timings.user_ms = 0
    } else {
      t = Date.now()
      log("v2 app: medusa db:migrate")
      await run("npx", ["medusa", "db:migrate"], app.dir, { DATABASE_URL: databaseUrl })
      timings.migrate_ms = Date.now() - t
      t = Date.now()
      await run("npx", ["medusa", "user", "-e", ADMIN.email, "-p", ADMIN.password], app.dir, { DATABASE_URL: databaseUrl })
      timings.user_ms = Date.now() - t
      for (const { datname } of await sql(`SELECT datname FROM pg_database WHERE datname LIKE 'loyalty\\_bench\\_v2\\_tpl\\_%'`)) {
        await sql(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
      }
      await sql(`CREATE DATABASE "${template}" TEMPLATE "${databaseName}"`)
      log(`v2 app: kept the migrated database as the template ${template} (the next runs skip migrate and user)`)
    }
    const port = await freePort()
    const baseUrl = `http://127.0.0.1:${port}`
    t = Date.now()
    log(`v2 app: medusa start${withoutPlugin ? " (without the plugin)" : ""}`)
    server = spawn("npx", ["medusa", "start"], {
      cwd: app.dir,
      env: {
        ...env(),
        NODE_ENV: "production",
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        LOYALTY_BENCH_WITHOUT_PLUGIN: withoutPlugin ? "1" : "",
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${path.join(app.dir, "bench-preload.js")}`.trim(),
      },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    })
    const keep = (d) => (serverLog = (serverLog + d).slice(-20000))
    server.stdout.on("data", keep)
    server.stderr.on("data", keep)
    for (;;) {
      const ok = await fetch(`${baseUrl}/health`).then((r) => r.status === 200, () => false)
      if (ok) break
      if (server.exitCode !== null) throw new Error(`medusa start exited with ${server.exitCode}:\n${serverLog.slice(-4000)}`)
      if (Date.now() - t > 480_000) throw new Error(`medusa start: no /health after 480 s:\n${serverLog.slice(-4000)}`)
      await new Promise((r) => setTimeout(r, 250))
    }
    timings.boot_ms = Date.now() - t
    return { baseUrl, databaseUrl, databaseName, template, fromTemplate: haveTemplate, admin: ADMIN, timings, hash: app.hash, reused: app.reused, stop, log: () => serverLog }
  } catch (e) {
    await stop().catch(() => {})
    throw e
  }
}

module.exports = { startBenchApp, v2Installed, pluginInputsHash, schemaInputsHash, BENCH_APP_DIR: CACHE }
