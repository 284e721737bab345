// @ts-check
/**
 * Boot a real Medusa 1.20 store with this plugin, in-process, on a throwaway PostgreSQL database.
 * Shared by the integration tests (tests/integration) and the demo (scripts/demo.mjs).
 *
 * The plugin is resolved by the ABSOLUTE path of the repository root, so Medusa loads it from
 * `<repo>/dist`: run `npm run build` first. The store itself is the fixture in tests/fixtures/store,
 * whose medusa-config.js reads a JSON file written here per store (env LOYALTY_STORE_CONFIG).
 *
 * Medusa keeps process-wide singletons (its TypeORM dataSource, the logger): run ONE store per process at
 * a time (sequentially is fine). Several instances on one database: scripts/lib/store-process.js boots more in
 * child processes (`existingDatabaseUrl`, one shared Redis `queueName`).
 */
// Before anything loads Medusa: no telemetry sender, banner or ~/.config/medusa write from these stores
// (offline-medusa.js says why the environment variable alone does not do it).
require("./offline-medusa").quietMedusaEnv()

const crypto = require("crypto")
const fs = require("fs")
const os = require("os")
const path = require("path")
const { Client } = require("pg")

const REPO_ROOT = path.resolve(__dirname, "..", "..")
const FIXTURE_STORE_DIR = path.join(REPO_ROOT, "tests", "fixtures", "store")
const MEDUSA_DIR = path.dirname(require.resolve("@medusajs/medusa/package.json"))

/** @param {string} id */
const medusa = (id) => require(path.join(MEDUSA_DIR, "dist", id))
/** @param {string} name */
const fromMedusa = (name) => require(require.resolve(name, { paths: [MEDUSA_DIR] }))

/**
 * Poll interval of Medusa's staged-job enqueuer in these stores. Medusa hard-codes 3000 ms (services/event-bus.js
 * sleeps 3 s between polls of `staged_job`); a shorter poll keeps the same delivery path (staged rows, batches,
 * unordered concurrent handlers) but lets a test see an event's effect in ~0.3 s instead of up to 3 s.
 * LOYALTY_ENQUEUER_POLL_MS=3000 restores Medusa's own timing.
 */
const ENQUEUER_POLL_MS = Number(process.env.LOYALTY_ENQUEUER_POLL_MS || 250)

function shortenEnqueuerPoll() {
  const sleepModule = medusa("utils/sleep")
  if (sleepModule.loyaltyPollPatched) return
  const sleep = sleepModule.sleep
  // The enqueuer is the only caller of this helper in Medusa 1.20 (checked: grep utils/sleep in dist).
  sleepModule.sleep = (/** @type {number} */ ms) => sleep(ms === 3000 ? ENQUEUER_POLL_MS : ms)
  sleepModule.loyaltyPollPatched = true
}

/** Long enough for any event emitted before the call to be delivered and handled (several enqueuer polls). */
function settleEvents() {
  return new Promise((resolve) => setTimeout(resolve, ENQUEUER_POLL_MS * 4 + 1000))
}

const NOISE = [
  /^WARN: withTransaction called without custom implementation/, // medusa-payment-manual, every checkout
  /^\[medusa-config\] .*redis_url not found/, // expected without Redis
]
let consoleFiltered = false
/** Drop two known harmless console.log lines (they flood test output); everything else passes through. */
function filterConsoleNoise() {
  if (consoleFiltered) return
  consoleFiltered = true
  const original = console.log
  console.log = function (/** @type {unknown[]} */ ...args) {
    if (typeof args[0] === "string" && NOISE.some((re) => re.test(/** @type {string} */ (args[0])))) return
    return original.apply(this, args)
  }
}

/**
 * @typedef {object} StartStoreOptions
 * @property {Record<string, unknown>} [pluginOptions] options of the loyalty plugin (default `{}`)
 * @property {string} [databaseUrl] URL of ANY database on the server to use (admin rights needed: a
 *   throwaway database is created next to it). Default: env LOYALTY_TEST_DATABASE_URL, then DATABASE_URL.
 * @property {string} [redisUrl] use the Redis event bus (event-bus-redis) and `redis_url`: real Redis for sessions
 *   and scheduled jobs (default: the local event bus, in-memory cache, a fake Redis for sessions, no jobs)
 * @property {string} [queueName] BullMQ queue of the Redis event bus (default `loyalty-events-` + the database name, a
 *   queue per store). Instances given the same queue share one event stream: each event is handled by one of them.
 * @property {string} [redisPrefix] `projectConfig.redis_prefix`: namespace of Medusa's own Redis keys (sessions,
 *   scheduled jobs), so a test run can delete what it wrote (default: none, Medusa's plain `sess:` keys)
 * @property {Record<string, unknown>} [eventBusOptions] more options of the event-bus-redis module (Redis path only),
 *   such as `jobOptions` (BullMQ attempts and backoff)
 * @property {string} [existingDatabaseUrl] boot on this already migrated database (the database of another
 *   instance) instead of a fresh copy of the template: nothing is created, and stop() does not drop it
 * @property {boolean} [log] show Medusa's info logs (default: warnings and errors only)
 * @property {(step: string, ms: number) => void} [onStep] called after each boot step with its duration
 * @property {string} [dbPrefix] prefix of the throwaway database name (default "loyalty_test")
 * @property {boolean} [withoutPlugin] boot the store WITHOUT the loyalty plugin in its config (the bench's baseline
 *   store; its database still has the plugin's tables, copied from the migrated template, and nothing uses them)
 * @property {{ email: string, password: string }} [adminUser] create this admin user once the store is up (a store
 *   in a child process, scripts/lib/store-process.js, has no container to hand to createAdmin)
 * @property {string} [adminBuildDir] serve this admin dashboard build (scripts/lib/admin-build.js) at /app with
 *   @medusajs/admin's own router, as a store with `{ resolve: "@medusajs/admin", options: { serve: true } }` does
 *
 * @typedef {object} Store
 * @property {string} baseUrl e.g. http://127.0.0.1:34567
 * @property {any} container Medusa's awilix container
 * @property {string} databaseUrl URL of the throwaway database
 * @property {string} databaseName
 * @property {string | undefined} queueName the Redis event bus queue (undefined on the local bus)
 * @property {{ createDatabase: number, migrations: number, boot: number, total: number }} timings ms
 * @property {() => Promise<void>} stop stop the enqueuer, close the server, shut Medusa down, drop the db
 */

/**
 * @param {string} baseUrl
 * @param {string} name
 */
function withDatabase(baseUrl, name) {
  const u = new URL(baseUrl)
  u.pathname = "/" + name
  return u.toString()
}

/**
 * @param {string} baseUrl
 * @param {string} sql
 */
async function adminQuery(baseUrl, sql) {
  const client = new Client({ connectionString: baseUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/**
 * Run one SQL statement against a database and return its rows (for assertions and sanity checks).
 * @param {string} databaseUrl
 * @param {string} sql
 * @param {unknown[]} [params]
 * @returns {Promise<any[]>}
 */
async function query(databaseUrl, sql, params = []) {
  const client = new Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    return (await client.query(sql, params)).rows
  } finally {
    await client.end()
  }
}

/**
 * Create a database with a random name on the server of `baseUrl` (empty, or a copy of `template`).
 * @param {string} baseUrl
 * @param {string} [prefix]
 * @param {string} [template] copy this database (CREATE DATABASE … TEMPLATE) instead of starting empty
 * @returns {Promise<{ name: string, url: string }>}
 */
async function createDatabase(baseUrl, prefix = "loyalty_test", template) {
  const name = `${prefix}_${Date.now().toString(36)}_${crypto.randomBytes(4).toString("hex")}`
  await adminQuery(baseUrl, `CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`)
  return { name, url: withDatabase(baseUrl, name) }
}

/**
 * A fingerprint of everything the migrations depend on: Medusa's version (its core migrations) and this plugin's
 * built migration files. A new migration gives a new template.
 * @returns {string}
 */
function migrationsFingerprint() {
  const hash = crypto.createHash("sha256").update(require(path.join(MEDUSA_DIR, "package.json")).version)
  const dir = path.join(REPO_ROOT, "dist", "migrations")
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".js")).sort()) {
    hash.update(file).update(fs.readFileSync(path.join(dir, file)))
  }
  return hash.digest("hex").slice(0, 12)
}

/**
 * The name of a database holding a fully migrated store, built once per migrations fingerprint and then copied
 * by `CREATE DATABASE … TEMPLATE` (about 0.2 s instead of 4–6 s of migrations per suite). Built under an advisory
 * lock and published by a rename, so concurrent runs never copy a half-migrated template.
 * @param {string} baseUrl
 * @param {{ log?: boolean }} opts
 * @returns {Promise<string>}
 */
async function migratedTemplate(baseUrl, opts) {
  const name = `loyalty_tpl_${migrationsFingerprint()}`
  const client = new Client({ connectionString: baseUrl })
  await client.connect()
  try {
    await client.query("SELECT pg_advisory_lock(7243610)")
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])
    if (!exists.rowCount) {
      const building = await createDatabase(baseUrl, `${name}_building`)
      try {
        await withStoreConfig({ databaseUrl: building.url, queueName: "loyalty-template" }, () =>
          runMigrations(FIXTURE_STORE_DIR, opts)
        )
        await client.query(`ALTER DATABASE "${building.name}" RENAME TO "${name}"`)
      } catch (e) {
        await dropDatabase(baseUrl, building.name).catch(() => {})
        throw e
      }
    }
    return name
  } finally {
    await client.query("SELECT pg_advisory_unlock(7243610)").catch(() => {})
    await client.end()
  }
}

/**
 * @typedef {{ databaseUrl: string, redisUrl?: string, pluginOptions?: Record<string, unknown>, queueName: string,
 *   redisPrefix?: string, eventBusOptions?: Record<string, unknown>, withoutPlugin?: boolean }} StoreConfigInput
 */

/**
 * Runs `fn` with the fixture store configured by `o` (LOYALTY_STORE_CONFIG), then restores the environment.
 * @template T
 * @param {StoreConfigInput} o
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withStoreConfig(o, fn) {
  const file = writeStoreConfig(o)
  const previous = process.env.LOYALTY_STORE_CONFIG
  process.env.LOYALTY_STORE_CONFIG = file
  try {
    return await fn()
  } finally {
    if (previous === undefined) delete process.env.LOYALTY_STORE_CONFIG
    else process.env.LOYALTY_STORE_CONFIG = previous
    fs.rmSync(path.dirname(file), { recursive: true, force: true })
  }
}

/**
 * Drop a database (terminating its connections) on the server of `baseUrl`.
 * @param {string} baseUrl
 * @param {string} name
 */
async function dropDatabase(baseUrl, name) {
  if (!/^[a-z0-9_]+$/i.test(name)) throw new Error(`refusing to drop database ${JSON.stringify(name)}`)
  await adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
}

/**
 * Write the per-store config JSON read by tests/fixtures/store/medusa-config.js.
 * @param {StoreConfigInput} o
 * @returns {string} path of the JSON file
 */
function writeStoreConfig(o) {
  /** @param {string} pkg */
  const abs = (pkg) => path.dirname(require.resolve(`${pkg}/package.json`, { paths: [REPO_ROOT] }))
  const config = {
    projectConfig: {
      database_url: o.databaseUrl,
      database_type: "postgres",
      jwt_secret: "loyalty-test-jwt",
      cookie_secret: "loyalty-test-cookie",
      store_cors: "*",
      admin_cors: "*",
      ...(o.redisUrl ? { redis_url: o.redisUrl } : {}),
      ...(o.redisUrl && o.redisPrefix ? { redis_prefix: o.redisPrefix } : {}),
    },
    // Absolute paths: Medusa resolves plugin names from process.cwd(), which we do not control.
    plugins: [
      abs("medusa-fulfillment-manual"),
      abs("medusa-payment-manual"),
      ...(o.withoutPlugin ? [] : [{ resolve: REPO_ROOT, options: o.pluginOptions ?? {} }]),
    ],
    modules: {
      eventBus: o.redisUrl
        ? {
            resolve: "@medusajs/event-bus-redis",
            options: { ...(o.eventBusOptions ?? {}), redisUrl: o.redisUrl, queueName: o.queueName },
          }
        : { resolve: "@medusajs/event-bus-local" },
      cacheService: { resolve: "@medusajs/cache-inmemory" },
    },
    featureFlags: {},
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-store-"))
  const file = path.join(dir, "store-config.json")
  fs.writeFileSync(file, JSON.stringify(config, null, 2))
  return file
}

/**
 * Run migrations the way `medusa migrations run` does (commands/migrate.js): core + plugin migrations
 * (commands/utils/get-migrations) and shared-module migrations through Medusa's database loader, then the
 * isolated modules' migrations. (Link migrations are skipped: a v1 store without v2 modules has none.)
 * @param {string} directory store directory (holds medusa-config.js)
 * @param {{ log?: boolean }} [opts]
 */
async function runMigrations(directory, opts = {}) {
  const loadConfig = medusa("loaders/config").default
  const loadFeatureFlags = medusa("loaders/feature-flags").default
  const getMigrations = medusa("commands/utils/get-migrations")
  const databaseLoader = medusa("loaders/database").default
  const { createContainer, asValue } = fromMedusa("awilix")

  const configModule = loadConfig(directory)
  const featureFlagRouter = loadFeatureFlags(configModule)
  const { coreMigrations } = getMigrations.default(directory, featureFlagRouter)
  const { migrations: moduleMigrations } = getMigrations.getModuleSharedResources(configModule, featureFlagRouter)
  const container = createContainer()
  container.register("db_entities", asValue([]))
  const dataSource = await databaseLoader({
    container,
    configModule,
    customOptions: { migrations: coreMigrations.concat(moduleMigrations), logging: opts.log ? "all" : ["error"] },
  })
  try {
    await dataSource.runMigrations()
  } finally {
    await dataSource.destroy()
  }
  await getMigrations.runIsolatedModulesMigration(configModule)
  return { count: coreMigrations.length + moduleMigrations.length }
}

/**
 * With `redis_url`, Medusa 1.20's job scheduler opens a BullMQ queue, worker and Redis connection that no shutdown
 * hook closes: close them, or the process never exits and the worker re-creates its keys after a test deleted them.
 * @param {any} container
 */
async function closeJobScheduler(container) {
  const scheduler = container.resolve("jobSchedulerService", { allowUnregistered: true })
  if (!scheduler?.queue_) return
  const connection = scheduler.queue_.opts?.connection
  await scheduler.worker_?.close()
  await scheduler.queue_.close()
  if (connection && typeof connection.disconnect === "function") connection.disconnect()
}

/**
 * @param {StartStoreOptions} [opts]
 * @returns {Promise<Store>}
 */
async function startStore(opts = {}) {
  const t0 = Date.now()
  const baseDbUrl =
    opts.databaseUrl || process.env.LOYALTY_TEST_DATABASE_URL || process.env.DATABASE_URL || opts.existingDatabaseUrl
  if (!baseDbUrl) {
    throw new Error("startStore: no database URL (pass databaseUrl, or set LOYALTY_TEST_DATABASE_URL / DATABASE_URL)")
  }
  if (!fs.existsSync(path.join(REPO_ROOT, "dist"))) {
    throw new Error(`startStore: ${REPO_ROOT}/dist is missing: run \`npm run build\` first (Medusa loads plugins from dist)`)
  }
  const verbose = !!process.env.LOYALTY_HARNESS_VERBOSE
  const onStep =
    opts.onStep ?? (verbose ? (/** @type {string} */ step, /** @type {number} */ ms) => console.log(`[store] ${step}: ${ms} ms`) : () => {})
  if (!opts.log) filterConsoleNoise()
  shortenEnqueuerPoll()
  const reporter = medusa("loaders/logger").default
  reporter.setLogLevel(opts.log ? "info" : "warn")

  let t = Date.now()
  const timings = { createDatabase: 0, migrations: 0, boot: 0, total: 0 }
  // Another instance's database is already migrated and is dropped by its owner, never by this store.
  const ownsDatabase = !opts.existingDatabaseUrl
  /** @type {{ name: string, url: string }} */
  let db
  if (opts.existingDatabaseUrl) {
    db = { name: new URL(opts.existingDatabaseUrl).pathname.slice(1), url: opts.existingDatabaseUrl }
  } else {
    const template = await migratedTemplate(baseDbUrl, { log: opts.log })
    timings.migrations = Date.now() - t
    onStep("migrations (template database, built once per migration set)", timings.migrations)
    t = Date.now()
    db = await createDatabase(baseDbUrl, opts.dbPrefix, template)
    timings.createDatabase = Date.now() - t
    onStep("create database from the template", timings.createDatabase)
  }
  const queueName = opts.redisUrl ? opts.queueName ?? `loyalty-events-${db.name}` : undefined
  // A queue named after this store's own database dies with it; a queue the caller named may be shared.
  const ownsQueue = !!opts.redisUrl && !opts.queueName && ownsDatabase

  const configFile = writeStoreConfig({
    databaseUrl: db.url,
    redisUrl: opts.redisUrl,
    pluginOptions: opts.pluginOptions,
    queueName: queueName ?? `loyalty-events-${db.name}`,
    redisPrefix: opts.redisPrefix,
    eventBusOptions: opts.eventBusOptions,
    withoutPlugin: opts.withoutPlugin,
  })
  const previousConfigEnv = process.env.LOYALTY_STORE_CONFIG
  process.env.LOYALTY_STORE_CONFIG = configFile
  const cleanupFiles = () => {
    process.removeListener("exit", cleanupFiles)
    fs.rmSync(path.dirname(configFile), { recursive: true, force: true })
  }
  process.on("exit", cleanupFiles) // a killed demo / test run leaves no temp dir behind

  /** @type {any} */
  let loaded
  /** @type {import("http").Server | undefined} */
  let server
  try {
    t = Date.now()
    const express = fromMedusa("express")
    const app = express()
    const originalUse = app.use
    if (!opts.log) {
      // Medusa's express loader adds morgan's access log (a middleware named `logger`) unless NODE_ENV=test.
      app.use = function (/** @type {any[]} */ ...handlers) {
        if (handlers.length === 1 && typeof handlers[0] === "function" && handlers[0].name === "logger") return app
        return originalUse.apply(app, handlers)
      }
    }
    const loaders = medusa("loaders").default
    try {
      loaded = await loaders({ directory: FIXTURE_STORE_DIR, expressApp: app, isTest: false })
    } finally {
      app.use = originalUse
    }
    if (opts.adminBuildDir) {
      // @medusajs/admin as a plugin runs a setup step that reads medusa-config.js from process.cwd() (not this
      // fixture's directory); with `autoRebuild: false` that step does nothing, so mount its router directly.
      const adminRouter = require(require.resolve("@medusajs/admin/api", { paths: [REPO_ROOT] })).default
      const { ADMIN_PATH } = require("./admin-build")
      app.use(adminRouter(FIXTURE_STORE_DIR, { serve: true, path: ADMIN_PATH, outDir: opts.adminBuildDir }))
    }
    server = await new Promise((resolve, reject) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s))
      s.on("error", reject)
    })
    const eventBus = loaded.container.resolve("eventBusService")
    // NODE_ENV=test (jest) keeps the staged-job enqueuer off; elsewhere it already runs.
    if (!eventBus.shouldEnqueuerRun) eventBus.startEnqueuer()
    if (opts.adminUser) {
      await loaded.container.resolve("userService").create({ email: opts.adminUser.email, role: "admin" }, opts.adminUser.password)
    }
    timings.boot = Date.now() - t
    onStep("boot", timings.boot)
  } catch (err) {
    if (server) server.close()
    if (loaded) await loaded.shutdown().catch(() => {})
    else {
      // Boot failed half-way: close Medusa's datasource so the process can exit.
      const ds = medusa("loaders/database").dataSource
      if (ds && ds.isInitialized) await ds.destroy().catch(() => {})
    }
    if (ownsDatabase) await dropDatabase(baseDbUrl, db.name).catch(() => {})
    cleanupFiles()
    throw err
  }
  timings.total = Date.now() - t0

  const srv = /** @type {import("http").Server} */ (server)
  const addr = /** @type {import("net").AddressInfo} */ (srv.address())
  const container = loaded.container
  let stopped = false
  return {
    baseUrl: `http://127.0.0.1:${addr.port}`,
    container,
    databaseUrl: db.url,
    databaseName: db.name,
    queueName,
    timings,
    async stop() {
      if (stopped) return
      stopped = true
      /** @type {unknown[]} */
      const errors = []
      const attempt = async (/** @type {() => unknown} */ fn) => {
        try {
          await fn()
        } catch (e) {
          errors.push(e)
        }
      }
      await attempt(() => container.resolve("eventBusService").stopEnqueuer())
      await attempt(
        () =>
          new Promise((resolve) => {
            srv.close(() => resolve(undefined))
            srv.closeAllConnections()
          })
      )
      // What `medusa start` does on SIGTERM: prepareShutdown closes the Redis event bus worker once its running
      // jobs finish (shutdown alone leaves it polling Redis and keeps the process alive).
      await attempt(() => loaded.prepareShutdown?.())
      await attempt(() => closeJobScheduler(container))
      await attempt(() => loaded.shutdown())
      if (ownsDatabase) await attempt(() => dropDatabase(baseDbUrl, db.name))
      if (ownsQueue) {
        const { deleteRedisKeys, EVENT_BUS_PREFIX } = require("./redis")
        await attempt(() => deleteRedisKeys(/** @type {string} */ (opts.redisUrl), [`${EVENT_BUS_PREFIX}:${queueName}:*`]))
      }
      cleanupFiles()
      if (process.env.LOYALTY_STORE_CONFIG === configFile) {
        if (previousConfigEnv === undefined) delete process.env.LOYALTY_STORE_CONFIG
        else process.env.LOYALTY_STORE_CONFIG = previousConfigEnv
      }
      if (errors.length) {
        console.error("[loyalty store] errors while stopping:", ...errors)
      }
    },
  }
}

module.exports = {
  migratedTemplate,
  settleEvents,
  REPO_ROOT,
  FIXTURE_STORE_DIR,
  startStore,
  runMigrations,
  createDatabase,
  dropDatabase,
  withDatabase,
  query,
}
