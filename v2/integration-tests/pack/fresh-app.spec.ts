import { execFileSync, spawn, spawnSync, type ChildProcess } from "child_process"
import fs from "fs"
import net from "net"
import os from "os"
import path from "path"

/**
 * The pack-install test: `npm pack` the v2 plugin → install the tarball into a NEW Medusa 2.21 app (a
 * hand-written host as the recipe's section 1; create-medusa-app needs GitHub) → `medusa db:migrate` → boot → the
 * plugin's routes answer. Everything real: npm, the Medusa CLI, PostgreSQL, HTTP. Timings go to the console.
 * Needs PostgreSQL at DB_HOST/DB_USERNAME (.env.test: localhost, postgres) and the npm cache or registry.
 *
 * Every `medusa` command (db:create, db:migrate, user, start, exec) runs as on a machine that has never run Medusa: a
 * HOME that is a fresh empty directory, none of the variables a run may have set, only what this repository's scripts
 * add (scripts/lib/offline-medusa.js); /proc is watched meanwhile for Medusa's telemetry sender.
 */
jest.setTimeout(1_200_000)

const V2 = path.resolve(__dirname, "../..")
const MEDUSA = "2.21.2"
const env = { ...process.env, MEDUSA_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "1", NODE_ENV: "development" }
const dbUser = process.env.DB_USERNAME || "postgres"
const dbPassword = process.env.DB_PASSWORD || ""
const dbHost = process.env.DB_HOST || "localhost"
const dbPort = process.env.DB_PORT || "5432"
const timings: Record<string, number> = {}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { quietMedusaEnv, telemetrySenders } = require("../../../scripts/lib/offline-medusa")
const home = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-v2-fresh-home-"))
/** What a fresh machine has (no Medusa config, no telemetry variables, not a CI), then the repository's offline config. */
const medusaEnv: NodeJS.ProcessEnv = (() => {
  const fresh: NodeJS.ProcessEnv = { ...env, HOME: home }
  for (const key of ["XDG_CONFIG_HOME", "MEDUSA_DISABLE_TELEMETRY", "DO_NOT_TRACK", "LOYALTY_MEDUSA_CONFIG_HOME", "CI"]) delete fresh[key]
  return quietMedusaEnv(fresh)
})()
/** Output of every medusa command and of the server, for the banner check. */
let medusaOutput = ""
const senders = new Map<number, string>()
// Senders started by this file's medusa commands only: they inherit its HOME.
const watchSenders = () => {
  for (const found of telemetrySenders((environ: string[]) => environ.includes(`HOME=${home}`))) senders.set(found.pid, found.cmdline)
}

/** A `medusa` command of the app (its own bin, no npx: npm would write its logs into HOME) in the fresh machine's env. */
function medusa(what: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): string {
  const start = Date.now()
  try {
    const r = spawnSync(path.join(cwd, "node_modules", ".bin", "medusa"), args, { cwd, env: { ...medusaEnv, ...extraEnv }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
    medusaOutput += `${r.stdout}${r.stderr}`
    if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${String(r.stdout).slice(-4000)}\n${String(r.stderr).slice(-4000)}`)
    return r.stdout
  } finally {
    timings[what] = Date.now() - start
  }
}

function run(what: string, cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): string {
  const start = Date.now()
  try {
    return execFileSync(cmd, args, { cwd, env: { ...env, ...extraEnv }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 })
  } catch (e: any) {
    throw new Error(`${what} failed (exit ${e.status}):\n${String(e.stdout).slice(-4000)}\n${String(e.stderr).slice(-4000)}`)
  } finally {
    timings[what] = Date.now() - start
  }
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on("error", reject)
  })
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const start = Date.now()
  for (;;) {
    const value = await probe().catch(() => null)
    if (value) return value as T
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

describe("the packed v2 plugin installed into a fresh Medusa 2.21 app", () => {
  const app = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-v2-fresh-app-"))
  const db = `loyalty_v2_fresh_${process.pid}_${Date.now()}`
  const databaseUrl = `postgres://${dbUser}${dbPassword ? `:${dbPassword}` : ""}@${dbHost}:${dbPort}/${db}`
  let server: ChildProcess | null = null
  let serverLog = ""
  let base = ""
  let watcher: NodeJS.Timeout | undefined

  beforeAll(async () => {
    watcher = setInterval(watchSenders, 100)
    const tarball = run("npm pack", "npm", ["pack", "--pack-destination", app], V2).trim().split("\n").pop()!
    fs.writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify(
        {
          name: "fresh-host-app",
          version: "0.0.1",
          private: true,
          dependencies: {
            "@medusajs/admin-sdk": MEDUSA,
            "@medusajs/cli": MEDUSA,
            "@medusajs/framework": MEDUSA,
            "@medusajs/medusa": MEDUSA,
            "medusa-plugin-loyalty-rules-v2": `file:./${tarball}`,
          },
          devDependencies: { "@swc/core": "1.16.22", "@types/node": "20.19.0", "ts-node": "10.9.2", typescript: "5.9.3" },
        },
        null,
        2
      )
    )
    fs.writeFileSync(
      path.join(app, "medusa-config.ts"),
      `import { loadEnv, defineConfig } from "@medusajs/framework/utils"
loadEnv(process.env.NODE_ENV || "development", process.cwd())
module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: { storeCors: "*", adminCors: "*", authCors: "*", jwtSecret: "fresh", cookieSecret: "fresh" },
  },
  admin: { disable: true },
  plugins: [{ resolve: "medusa-plugin-loyalty-rules-v2", options: { auto_enroll: true } }],
  // Behind a load balancer: every server shares one Redis event queue (BullMQ, retried as a deployment would).
  modules: process.env.LOYALTY_REDIS_URL
    ? [{
        resolve: "@medusajs/medusa/event-bus-redis",
        options: {
          redisUrl: process.env.LOYALTY_REDIS_URL,
          queueName: process.env.LOYALTY_EVENT_QUEUE,
          jobOptions: { attempts: 5, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: true },
        },
      }]
    : [],
})
`
    )
    fs.writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2021", esModuleInterop: true, module: "Node16", moduleResolution: "Node16", emitDecoratorMetadata: true,
          experimentalDecorators: true, skipLibCheck: true, declaration: false, sourceMap: false, inlineSourceMap: true,
          outDir: "./.medusa/server", rootDir: "./", jsx: "react-jsx", resolveJsonModule: true, checkJs: false, strictNullChecks: true,
        },
        "ts-node": { swc: true },
        include: ["**/*", ".medusa/types/*"],
        exclude: ["node_modules", ".medusa/server", ".medusa/admin", ".cache"],
      })
    )
    fs.writeFileSync(path.join(app, ".env"), `DATABASE_URL=${databaseUrl}\nMEDUSA_DISABLE_TELEMETRY=true\n`)
    run("npm install (fresh app + tarball)", "npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], app)
    medusa("medusa db:create", ["db:create", "--db", db], app, { DATABASE_URL: databaseUrl })
    medusa("medusa db:migrate", ["db:migrate"], app, { DATABASE_URL: databaseUrl })
    medusa("medusa user", ["user", "-e", "admin@fresh.test", "-p", "secret"], app, { DATABASE_URL: databaseUrl })
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    const started = Date.now()
    server = spawn(path.join(app, "node_modules", ".bin", "medusa"), ["start"], { cwd: app, env: { ...medusaEnv, DATABASE_URL: databaseUrl, PORT: String(port) }, detached: true })
    server.stdout?.on("data", (d) => ((serverLog += d), (medusaOutput += d)))
    server.stderr?.on("data", (d) => ((serverLog += d), (medusaOutput += d)))
    await waitFor("GET /health = 200", async () => (await fetch(`${base}/health`)).status === 200, 480_000).catch((e) => {
      throw new Error(`${e.message}\n${serverLog.slice(-4000)}`)
    })
    timings["boot to /health"] = Date.now() - started
  })

  /** Stops the server (its process group, started by this test) and waits for it to exit. */
  const stopServer = async () => {
    const running = server
    server = null
    if (!running?.pid) return
    const exited = new Promise((r) => running.once("exit", r))
    try {
      process.kill(-running.pid, "SIGTERM")
    } catch {
      /* already gone */
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
  }

  afterAll(async () => {
    await stopServer()
    clearInterval(watcher)
    for (const pid of senders.keys()) {
      try {
        process.kill(pid, "SIGKILL") // a sender this file's commands started (the test has failed then)
      } catch {
        /* already gone */
      }
    }
    fs.rmSync(home, { recursive: true, force: true })
    await new Promise((r) => setTimeout(r, 2000))
    try {
      execFileSync("psql", ["-h", dbHost, "-U", dbUser, "-d", "postgres", "-c", `DROP DATABASE IF EXISTS "${db}"`], { env: { ...env, PGPASSWORD: dbPassword } })
    } catch {
      /* reported by the leftover database, not worth failing the suite */
    }
    fs.rmSync(app, { recursive: true, force: true })
    // eslint-disable-next-line no-console
    console.log(`fresh-app pack-install timings (ms): ${JSON.stringify(timings)}`)
  })

  const admin = async (at = base) => {
    const res = await fetch(`${at}/auth/user/emailpass`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "admin@fresh.test", password: "secret" }),
    })
    const { token } = await res.json()
    return { authorization: `Bearer ${token}`, "content-type": "application/json" }
  }

  it("creates the plugin's tables with db:migrate: append-only ledger and tier history, bigint lifetime points, tier grace column, tracked promotions, single-use redemption claims", () => {
    const sql = (q: string) =>
      execFileSync("psql", ["-h", dbHost, "-U", dbUser, "-d", db, "-At", "-c", q], { env: { ...env, PGPASSWORD: dbPassword }, encoding: "utf8" }).trim()
    expect(sql(`SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_name LIKE 'loyalty_%'`))
      .toBe(
        "loyalty_account,loyalty_action,loyalty_birthday_change,loyalty_expiry_reminder,loyalty_ledger_entry,loyalty_promotion," +
          "loyalty_redemption,loyalty_redemption_use,loyalty_referral,loyalty_referral_code,loyalty_rulebook,loyalty_tier_change"
      )
    expect(sql(`SELECT data_type FROM information_schema.columns WHERE table_name = 'loyalty_account' AND column_name = 'points_lifetime'`)).toBe("bigint")
    // The checkout's single-use guarantee is this full unique index (one claim per code, ever).
    expect(sql(`SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_loyalty_redemption_use_code'`)).toMatch(/^CREATE UNIQUE INDEX .* \(code\)$/)
    expect(sql(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'loyalty_account' AND column_name = 'tier_below_since'`)).toBe("1")
    expect(sql(`SELECT count(*) FROM pg_trigger WHERE tgname = 'loyalty_ledger_entry_append_only'`)).toBe("1")
    expect(sql(`SELECT count(*) FROM pg_trigger WHERE tgname = 'loyalty_tier_change_append_only'`)).toBe("1")
  })

  it("answers the plugin's admin routes: 401 without auth, the shipped default program, a clean verify", async () => {
    expect((await fetch(`${base}/admin/loyalty/rules`)).status).toBe(401)
    const headers = await admin()
    const rules = await fetch(`${base}/admin/loyalty/rules`, { headers })
    expect(rules.status).toBe(200)
    expect((await rules.json()).rules.files).toEqual(expect.arrayContaining(["accrual.json", "program.json", "tiers.json"]))
    const verify = await fetch(`${base}/admin/loyalty/verify`, { headers })
    expect([verify.status, (await verify.json()).ok]).toEqual([200, true])
    const accounts = await fetch(`${base}/admin/loyalty/accounts`, { headers })
    expect([accounts.status, (await accounts.json()).count]).toEqual([200, 0])
    const simulated = await fetch(`${base}/admin/loyalty/simulate`, {
      method: "POST", headers, body: JSON.stringify({ order: { subtotal: 10000, currency_code: "eur" }, customer: { orders_count: 0 } }),
    })
    expect((await simulated.json()).points).toBe(200)
  })

  it("answers the plugin's store routes: the public tier ladder with a publishable key, 401 on the member's account without a session", async () => {
    const headers = await admin()
    const created = await fetch(`${base}/admin/api-keys`, { method: "POST", headers, body: JSON.stringify({ title: "fresh", type: "publishable" }) })
    const { api_key } = await created.json()
    const pk = { "x-publishable-api-key": api_key.token }
    const tiers = await fetch(`${base}/store/loyalty/tiers`, { headers: pk })
    expect(tiers.status).toBe(200)
    expect((await tiers.json()).tiers.map((t: { code: string }) => t.code)).toEqual(["bronze", "silver", "gold", "platinum"])
    expect((await fetch(`${base}/store/customers/me/loyalty`, { headers: pk })).status).toBe(401)
  })

  it("runs the package's own medusa-loyalty CLI in the app, with no root package installed: validate, verify --database-url, and a job's medusa exec", () => {
    expect(fs.existsSync(path.join(app, "node_modules", "medusa-plugin-loyalty-rules"))).toBe(false)
    const cli = (args: string[]) => {
      try {
        return { code: 0, stdout: run(`medusa-loyalty ${args[0]}`, "npx", ["medusa-loyalty", ...args], app), stderr: "" }
      } catch (e: any) {
        return { code: Number(/exit (\d+)/.exec(e.message)?.[1]), stdout: "", stderr: String(e.message) }
      }
    }
    // The shipped default program, found from the package's own package.json.
    expect(cli(["validate"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK 4 files, version [0-9a-f]{12}\n$/) })
    // Read-only over the store's database, its Medusa 2 tables detected.
    const verified = cli(["verify", "--database-url", databaseUrl, "--json"])
    expect(verified.code).toBe(0)
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, problems: [], entries_checked: 0 })
    // A job boots the store: in a Medusa 2 store the CLI names the medusa exec command instead, and that command runs.
    const expire = cli(["expire"])
    const script = "./node_modules/medusa-plugin-loyalty-rules-v2/.medusa/server/src/scripts/loyalty-jobs.js"
    expect(expire.code).toBe(1)
    expect(expire.stderr).toContain(`npx medusa exec ${script} expire`)
    const ran = medusa("medusa exec loyalty-jobs.js tiers", ["exec", script, "tiers"], app, { DATABASE_URL: databaseUrl })
    expect(ran).toContain('"accounts_checked": 0')
  })

  /**
   * Two servers of the app on ONE database and ONE Redis event queue (@medusajs/event-bus-redis, BullMQ), as a store
   * runs behind a load balancer: checkouts, cancels and refunds arrive through both, each event is handled by whichever
   * server takes it from the queue, and the ledger must still hold exactly one accrual per order, one reversal per
   * cancel, one clawback per refund, and balances equal to Σ entries and to the points computed here from the shipped
   * rules (1 point per whole unit of subtotal, +100 on a customer's first order; nobody reaches Silver). Needs Redis
   * (REDIS_URL, default redis://127.0.0.1:6379): without it the servers do not start and these tests fail.
   */
  describe("two servers of the app sharing one database and one Redis event queue", () => {
    const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379"
    const queue = `loyalty-fresh-${process.pid}-${Date.now()}`
    const servers: Array<{ process: ChildProcess; base: string; log: string }> = []
    const CUSTOMERS = 6
    const ORDERS_EACH = 3
    type Planned = { customer: number; k: number; server: number; order_id: string; total: number; earned: number; fate: "keep" | "cancel" | "refund"; refunds_minor: number[] }
    const planned: Planned[] = []
    const sql = (q: string) =>
      execFileSync("psql", ["-h", dbHost, "-U", dbUser, "-d", db, "-At", "-F", "\t", "-c", q], { env: { ...env, PGPASSWORD: dbPassword }, encoding: "utf8" }).trim()
    const processing = (i: number) => (servers[i].log.match(/Processing order\.placed/g) ?? []).length

    beforeAll(async () => {
      await stopServer()
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { fetchApi, setUpStore, adminHeaders, waitFor: waitForValue } = require("../../scripts/lib/store-http")
      const started = Date.now()
      for (let i = 0; i < 2; i++) {
        const port = await freePort()
        const proc = spawn(path.join(app, "node_modules", ".bin", "medusa"), ["start"], {
          cwd: app, detached: true,
          env: { ...medusaEnv, DATABASE_URL: databaseUrl, PORT: String(port), LOYALTY_REDIS_URL: REDIS_URL, LOYALTY_EVENT_QUEUE: queue },
        })
        const server = { process: proc, base: `http://127.0.0.1:${port}`, log: "" }
        proc.stdout?.on("data", (d) => ((server.log += d), (medusaOutput += d)))
        proc.stderr?.on("data", (d) => ((server.log += d), (medusaOutput += d)))
        servers.push(server)
      }
      for (const [i, server] of servers.entries()) {
        await waitFor(`server ${i} GET /health = 200`, async () => (await fetch(`${server.base}/health`)).status === 200, 480_000).catch((e) => {
          throw new Error(`${e.message}\n${server.log.slice(-4000)}`)
        })
      }
      timings["two redis servers to /health"] = Date.now() - started

      // Each call goes to the server its headers name (x-loyalty-server), so a checkout runs through one server.
      const apis = servers.map((s) => fetchApi(s.base))
      const pick = (opts?: { headers?: Record<string, string> }) => {
        const { "x-loyalty-server": which, ...headers } = opts?.headers ?? {}
        return [apis[Number(which ?? 0)], { ...opts, headers }] as const
      }
      const api = {
        get: (p: string, opts?: any) => { const [a, o] = pick(opts); return a.get(p, o) },
        post: (p: string, body: unknown, opts?: any) => { const [a, o] = pick(opts); return a.post(p, body, o) },
        delete: (p: string, opts?: any) => { const [a, o] = pick(opts); return a.delete(p, o) },
      }
      const store = await setUpStore(api, await adminHeaders(api, "admin@fresh.test", "secret"), [19.99])
      const customers = []
      for (let c = 0; c < CUSTOMERS; c++) customers.push(await store.registerCustomer(`many-${c}@fresh.test`))
      const checkoutsStarted = Date.now()
      // Customers shop concurrently, each one order after the other, alternating servers; the admin's follow-up
      // (a cancel, or a capture and two partial refunds) goes through the other server once the accrual exists.
      await Promise.all(customers.map(async (customer: { headers: Record<string, string> }, c: number) => {
        for (let k = 0; k < ORDERS_EACH; k++) {
          const server = (c + k) % 2
          const order = await store.placeOrder({ headers: { ...customer.headers, "x-loyalty-server": String(server) } }, [{ price: 19.99, quantity: 1 }])
          const fate = k === 1 && c % 2 === 0 ? "cancel" : k === 2 && c % 2 === 1 ? "refund" : "keep"
          const p: Planned = { customer: c, k, server, order_id: order.id, total: 2999, earned: 19 + (k === 0 ? 100 : 0), fate, refunds_minor: [] }
          planned.push(p)
          if (fate === "keep") continue
          await waitForValue(`accrual of ${order.id}`, async () => sql(`SELECT count(*) FROM loyalty_ledger_entry WHERE order_id = '${order.id}' AND kind = 'accrual'`) === "1", 120_000)
          const admin = apis[1 - server]
          if (fate === "cancel") {
            await admin.post(`/admin/orders/${order.id}/cancel`, {}, store.admin)
          } else {
            const payment = await store.paymentOf(order.id)
            await admin.post(`/admin/payments/${payment}/capture`, {}, store.admin)
            for (const amount of [10, 5]) {
              await admin.post(`/admin/payments/${payment}/refund`, { amount }, store.admin)
              p.refunds_minor.push(amount * 100)
            }
          }
        }
      }))
      timings["many-instances checkouts, cancels, refunds"] = Date.now() - checkoutsStarted
      const expectedEntries = planned.length + planned.filter((p) => p.fate === "cancel").length + planned.reduce((n, p) => n + p.refunds_minor.length, 0)
      await waitForValue("every event handled", async () => Number(sql(`SELECT count(*) FROM loyalty_ledger_entry WHERE order_id IS NOT NULL`)) >= expectedEntries, 240_000)
    })

    afterAll(async () => {
      for (const s of servers) {
        const exited = new Promise((r) => s.process.once("exit", r))
        try {
          process.kill(-s.process.pid!, "SIGTERM") // the server's process group, started by this test
        } catch {
          /* already gone */
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
      }
      // This run's queue keys (BullMQ's, under the event bus's prefix): the Redis server outlives the test.
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const redis = new (require("ioredis"))(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
      try {
        await redis.connect()
        const keys: string[] = await redis.keys(`*${queue}*`)
        if (keys.length) await redis.del(...keys)
      } catch {
        /* no Redis: the servers never started either */
      } finally {
        redis.disconnect()
      }
    })

    it("takes checkouts on both servers and handles events on both, every order.placed at least once", () => {
      expect(planned).toHaveLength(CUSTOMERS * ORDERS_EACH)
      expect(new Set(planned.map((p) => p.server))).toEqual(new Set([0, 1]))
      // Each server logs the events it takes from the queue.
      expect([processing(0) > 0, processing(1) > 0]).toEqual([true, true])
      expect(processing(0) + processing(1)).toBeGreaterThanOrEqual(planned.length)
    })

    it("posts exactly one accrual per order, with the points the rule files give", () => {
      const accruals = sql(`SELECT order_id, count(*), sum(points) FROM loyalty_ledger_entry WHERE kind = 'accrual' GROUP BY order_id`)
        .split("\n").map((l) => l.split("\t")).map(([order_id, n, points]) => [order_id, Number(n), Number(points)])
      expect(accruals.sort()).toEqual(planned.map((p) => [p.order_id, 1, p.earned]).sort())
    })

    it("reverses each cancel exactly once and claws back each refund exactly once, by the cumulative rule", () => {
      const moves = sql(`SELECT order_id, kind, points FROM loyalty_ledger_entry WHERE kind IN ('reversal', 'clawback') ORDER BY order_id, seq`)
        .split("\n").filter(Boolean).map((l) => l.split("\t")).map(([order_id, kind, points]) => [order_id, kind, Number(points)])
      const expected: Array<[string, string, number]> = []
      for (const p of [...planned].sort((a, b) => (a.order_id < b.order_id ? -1 : 1))) {
        if (p.fate === "cancel") expected.push([p.order_id, "reversal", -p.earned])
        let refunded = 0
        let clawed = 0
        for (const minor of p.refunds_minor) {
          refunded += minor
          // Cumulative clawback, restated here: floor(earned × refunded / total), less what was already taken.
          const after = Math.floor((p.earned * Math.min(refunded, p.total)) / p.total)
          expected.push([p.order_id, "clawback", -(after - clawed)])
          clawed = after
        }
      }
      expect(expected.filter(([, kind]) => kind === "reversal").length).toBeGreaterThan(0)
      expect(expected.filter(([, kind]) => kind === "clawback").length).toBeGreaterThan(0)
      expect(moves).toEqual(expected)
    })

    it("keeps every balance equal to Σ entries and to the expected points, and verify is clean on both servers", async () => {
      const balances = Object.fromEntries(sql(`SELECT a.customer_id, a.points_balance, (SELECT coalesce(sum(e.points), 0) FROM loyalty_ledger_entry e WHERE e.account_id = a.id) FROM loyalty_account a`)
        .split("\n").map((l) => l.split("\t")).map(([id, balance, sum]) => [id, [Number(balance), Number(sum)]]))
      const ids = Object.fromEntries(sql(`SELECT email, id FROM customer WHERE email LIKE 'many-%@fresh.test'`).split("\n").map((l) => l.split("\t")))
      for (let c = 0; c < CUSTOMERS; c++) {
        const mine = planned.filter((p) => p.customer === c)
        const expected = mine.reduce((n, p) => {
          if (p.fate === "cancel") return n
          const refunded = p.refunds_minor.reduce((a, b) => a + b, 0)
          return n + p.earned - Math.floor((p.earned * Math.min(refunded, p.total)) / p.total)
        }, 0)
        expect([c, balances[ids[`many-${c}@fresh.test`]]]).toEqual([c, [expected, expected]])
      }
      const headers = await admin(servers[0].base)
      for (const s of servers) {
        const verify = await fetch(`${s.base}/admin/loyalty/verify`, { headers })
        expect([s.base, verify.status, (await verify.json()).ok]).toEqual([s.base, 200, true])
      }
    })
  })

  describe("on a machine that has never run Medusa (after the server has stopped)", () => {
    beforeAll(async () => {
      await stopServer()
      // A sender is forked when a Medusa process exits: keep watching a while after the last one.
      await new Promise((r) => setTimeout(r, 3000))
      watchSenders()
    })

    it("starts no telemetry sender process", () => {
      expect(medusaOutput).toContain("Server is ready") // the server's output was read: it did start here
      expect([...senders.entries()]).toEqual([])
    })

    it("writes no Medusa config into the user's home", () => {
      expect(fs.existsSync(path.join(home, ".config", "medusa"))).toBe(false)
      // Whatever is there, named down to three levels (what wrote it shows in the failure). The one thing allowed is
      // SWC's native compile cache (~/.cache/swc-native-*): Medusa 2 loads the app's medusa-config.ts through ts-node
      // with SWC, the app's own toolchain; it is no Medusa config and sends nothing.
      const tree = (dir: string, depth = 0): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
          const here = path.relative(home, path.join(dir, e.name))
          return e.isDirectory() && depth < 2 ? [here, ...tree(path.join(dir, e.name), depth + 1)] : [here]
        })
      expect(tree(home).filter((p) => p !== ".cache" && !p.startsWith(`.cache${path.sep}swc-native-`))).toEqual([])
    })

    it("prints no telemetry banner", () => {
      expect(medusaOutput.length).toBeGreaterThan(0)
      expect(medusaOutput).not.toMatch(/anonymous usage analytics/)
    })
  })
})
