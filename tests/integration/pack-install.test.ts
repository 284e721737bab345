/**
 * Pack-and-install proof: the plugin as a store really gets it. `npm pack` (prepack builds) → a throwaway
 * Medusa 1.20 project in os.tmpdir() that installs the tarball next to Medusa → the real CLI runs
 * `medusa migrations run` and `medusa start` → the plugin's routes answer.
 *
 * ~1–2 min (npm install from the warm cache dominates). LOYALTY_SKIP_PACK_INSTALL=1 skips it;
 * LOYALTY_PACK_SKIP_BUILD=1 packs the current dist without running prepack (local iteration only).
 */
import { ChildProcess, execFile, spawn } from "child_process"
import fs from "fs"
import net from "net"
import os from "os"
import path from "path"
import { promisify } from "util"
import {
  api,
  createCustomer,
  createDatabase,
  createProduct,
  createRegion,
  dropDatabase,
  expectOk,
  placeOrder,
  prepareCart,
  query,
  redeemPoints,
  REPO_ROOT,
  waitFor,
} from "../helpers/harness"

const run = promisify(execFile)
const describeOrSkip = process.env.LOYALTY_SKIP_PACK_INSTALL ? describe.skip : describe
const rootPkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"))

/** Same pinned versions as this repository's devDependencies. */
const STORE_DEPS = [
  "@medusajs/medusa",
  "@medusajs/medusa-cli",
  "typeorm",
  "medusa-fulfillment-manual",
  "medusa-payment-manual",
  "@medusajs/event-bus-local",
  "@medusajs/cache-inmemory",
  "pg",
  "medusa-interfaces",
]

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

const timings: Record<string, number> = {}
async function timed<T>(step: string, fn: () => Promise<T>): Promise<T> {
  const t = Date.now()
  try {
    return await fn()
  } finally {
    timings[step] = Date.now() - t
  }
}

/**
 * The store's own cart completion strategy (the project registers last, so it replaces the plugin's), written as
 * docs/checkout-safety.md tells a store to: it calls the plugin's exported guard. It logs a marker per completion so
 * the test knows this strategy, not the plugin's, ran.
 */
function writeStoreStrategy(project: string): void {
  const dir = path.join(project, "dist", "strategies")
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(
    path.join(dir, "cart-completion.js"),
    `const CartCompletionStrategy = require("@medusajs/medusa/dist/strategies/cart-completion").default
const { completeWithRedemptionClaims, precheckRedemptions } = require("medusa-plugin-loyalty-rules")

class StoreCartCompletionStrategy extends CartCompletionStrategy {
  constructor(cradle) {
    super(cradle)
    this.loyalty = { resolve: (name) => cradle[name] }
  }
  async complete(id, ikey, context) {
    console.log("store-cart-completion-strategy: " + id)
    if (ikey.recovery_point === "started") {
      const refused = await precheckRedemptions(this.loyalty, id)
      if (refused) return refused
    }
    return await super.complete(id, ikey, context)
  }
  async handlePaymentAuthorized(id, { manager }) {
    return await completeWithRedemptionClaims(this.loyalty, manager, id, () => super.handlePaymentAuthorized(id, { manager }))
  }
}
exports.default = StoreCartCompletionStrategy
`
  )
}

describeOrSkip("the packed plugin installed in a fresh Medusa 1.20 project", () => {
  const baseDbUrl = process.env.LOYALTY_TEST_DATABASE_URL || process.env.DATABASE_URL || ""
  let tmp = ""
  let project = ""
  let db: { name: string; url: string } | undefined
  let server: ChildProcess | undefined
  let serverLog = ""
  let baseUrl = ""

  const childEnv = (extra: Record<string, string> = {}) => {
    const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: "development", ...extra }
    delete env.LOYALTY_STORE_CONFIG
    // npm lifecycle variables of the outer `npm test` must not leak into the inner npm install.
    for (const k of Object.keys(env)) if (k.startsWith("npm_")) delete env[k]
    env.MEDUSA_DISABLE_TELEMETRY = "true"
    return env as NodeJS.ProcessEnv
  }

  beforeAll(async () => {
    if (!baseDbUrl) throw new Error("no database: the jest global setup provides LOYALTY_TEST_DATABASE_URL")
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-pack-"))
    project = path.join(tmp, "store")
    fs.mkdirSync(project)

    const tarball = await timed("npm pack", async () => {
      const args = ["pack", "--json", "--pack-destination", tmp]
      if (process.env.LOYALTY_PACK_SKIP_BUILD) args.push("--ignore-scripts")
      const { stdout } = await run("npm", args, { cwd: REPO_ROOT, env: childEnv(), maxBuffer: 64 * 1024 * 1024 })
      // `npm pack --json` prints its JSON after the prepack build's log (whose colour codes contain "[" too).
      const info = JSON.parse(stdout.slice(stdout.search(/^\[\s*\{/m)))
      return path.join(tmp, info[0].filename as string)
    })

    const dependencies: Record<string, string> = {}
    for (const name of STORE_DEPS) {
      const version = rootPkg.devDependencies[name]
      if (!version) throw new Error(`package.json devDependencies has no ${name}`)
      dependencies[name] = version
    }
    dependencies[rootPkg.name] = `file:${tarball}`
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "loyalty-pack-install-store", version: "0.0.0", private: true, dependencies }, null, 2)
    )
    await timed("npm install", () =>
      run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
        cwd: project,
        env: childEnv(),
        maxBuffer: 64 * 1024 * 1024,
      })
    )

    db = await createDatabase(baseDbUrl, "loyalty_pack")
    fs.writeFileSync(
      path.join(project, "medusa-config.js"),
      `module.exports = {
  projectConfig: {
    database_url: ${JSON.stringify(db.url)},
    database_type: "postgres",
    jwt_secret: "pack-install-jwt",
    cookie_secret: "pack-install-cookie",
    store_cors: "*",
    admin_cors: "*",
  },
  plugins: [
    "medusa-fulfillment-manual",
    "medusa-payment-manual",
    { resolve: "medusa-plugin-loyalty-rules", options: {} },
  ],
  modules: {
    eventBus: { resolve: "@medusajs/event-bus-local" },
    cacheService: { resolve: "@medusajs/cache-inmemory" },
  },
}
`
    )
    writeStoreStrategy(project)
    const medusaBin = path.join(project, "node_modules", ".bin", "medusa")
    await timed("medusa migrations run", () =>
      run(medusaBin, ["migrations", "run"], { cwd: project, env: childEnv(), maxBuffer: 64 * 1024 * 1024 })
    )

    const port = await freePort()
    baseUrl = `http://127.0.0.1:${port}`
    await timed("medusa start (until /health answers)", async () => {
      server = spawn(medusaBin, ["start"], { cwd: project, env: childEnv({ PORT: String(port) }), detached: true })
      server.stdout?.on("data", (c) => (serverLog += c.toString()))
      server.stderr?.on("data", (c) => (serverLog += c.toString()))
      let exited = false
      server.on("exit", () => (exited = true))
      await waitFor(
        async () => {
          if (exited) throw new Error(`medusa start exited:\n${serverLog.slice(-4000)}`)
          const res = await fetch(`${baseUrl}/health`)
          return res.status === 200
        },
        { timeoutMs: 480_000, intervalMs: 500, description: "medusa start" }
      ).catch((e) => {
        throw new Error(`${(e as Error).message}\n--- server log ---\n${serverLog.slice(-4000)}`)
      })
    })
  }, 600000)

  afterAll(async () => {
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise((r) => server!.once("exit", r))
      try {
        process.kill(-server.pid, "SIGTERM")
      } catch {
        /* already gone */
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))])
      if (server.exitCode === null) {
        try {
          process.kill(-server.pid, "SIGKILL")
        } catch {
          /* already gone */
        }
      }
    }
    if (db) await dropDatabase(baseDbUrl, db.name).catch((e) => console.error("drop database failed", e))
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
    console.log(
      "pack-install timings (ms):\n" +
        Object.entries(timings)
          .map(([k, v]) => `  ${k}: ${v}`)
          .join("\n")
    )
  }, 60000)

  it("installs from the tarball with dist (server, admin extension, OpenAPI), rules, docs and README inside", () => {
    const installed = path.join(project, "node_modules", rootPkg.name)
    expect(fs.existsSync(path.join(installed, "dist", "index.js"))).toBe(true)
    expect(fs.existsSync(path.join(installed, "dist", "admin", "_virtual_entry.js"))).toBe(true)
    expect(fs.existsSync(path.join(installed, "dist", "openapi.json"))).toBe(true)
    expect(fs.existsSync(path.join(installed, "docs", "api.md"))).toBe(true)
    expect(fs.existsSync(path.join(installed, "rules"))).toBe(true)
    expect(fs.existsSync(path.join(installed, ".cache"))).toBe(false)
    expect(fs.existsSync(path.join(installed, "src"))).toBe(false)
    expect(fs.existsSync(path.join(installed, "tests"))).toBe(false)
    // one copy of Medusa: the plugin must not bring its own
    expect(fs.existsSync(path.join(installed, "node_modules", "@medusajs", "medusa"))).toBe(false)
  })

  it("creates the plugin's tables when the store runs `medusa migrations run`", async () => {
    const rows = await query(
      db!.url,
      "select table_name from information_schema.tables where table_schema = 'public' and table_name like 'loyalty%' order by 1"
    )
    expect(rows.map((r: { table_name: string }) => r.table_name)).toEqual(
      expect.arrayContaining(["loyalty_account", "loyalty_ledger_entry"])
    )
  })

  it("refuses the customer loyalty route without a logged-in customer (401)", async () => {
    const res = await api(baseUrl).get("/store/customers/me/loyalty")
    expect(res.status).toBe(401)
  })

  it("answers a logged-in customer's loyalty account on GET /store/customers/me/loyalty", async () => {
    const email = `pack-${Date.now()}@example.com`
    const password = "pack-install-pw"
    const created = await api(baseUrl).post("/store/customers", { email, password, first_name: "Pack", last_name: "Install" })
    expect(created.status).toBe(200)
    const login = await api(baseUrl).post("/store/auth/token", { email, password })
    expect(login.status).toBe(200)
    const res = await api(baseUrl, login.body.access_token).get("/store/customers/me/loyalty")
    expect(res.status).toBe(200)
    expect(res.body.loyalty_account).toMatchObject({
      customer_id: created.body.customer.id,
      points_balance: expect.any(Number),
      points_lifetime: expect.any(Number),
    })
    expect(res.body.loyalty_account).toHaveProperty("tier")
  })

  it("keeps a redemption code to one order when the store has its own completion strategy calling the exported guard", async () => {
    const medusaBin = path.join(project, "node_modules", ".bin", "medusa")
    const adminEmail = `admin-${Date.now()}@example.com`
    await run(medusaBin, ["user", "-e", adminEmail, "-p", "pack-admin-pw"], { cwd: project, env: childEnv(), maxBuffer: 64 * 1024 * 1024 })
    const { access_token } = expectOk(await api(baseUrl).post("/admin/auth/token", { email: adminEmail, password: "pack-admin-pw" }), "admin token")
    const admin = { baseUrl, token: access_token, email: adminEmail, password: "pack-admin-pw", api: api(baseUrl, access_token) }
    const region = await createRegion(admin)
    const tv = await createProduct(admin, { title: "TV", price: 50000 })
    const member = await createCustomer({ baseUrl })
    await placeOrder({ baseUrl }, { token: member, region, items: [{ variant_id: tv, quantity: 1 }] })
    await waitFor(async () => expectOk(await member.api.get("/store/customers/me/loyalty"), "loyalty").loyalty_account.points_balance === 600,
      { description: "600 points", timeoutMs: 120_000 })
    const redeemed = await redeemPoints({ baseUrl }, member, { points: 500, region_id: region.id })
    expect(redeemed.status).toBe(201)
    const code: string = redeemed.body.redemption.discount_code

    const carts = await Promise.all([1, 2, 3].map(() => prepareCart({ baseUrl }, { token: member, region, items: [{ variant_id: tv, quantity: 1 }], discountCode: code })))
    const answers = await Promise.all(carts.map((c) => c.api.post(`/store/carts/${c.cart.id}/complete`)))
    expect(answers.filter((a) => a.status === 200).map((a) => a.body.data.discount_total)).toEqual([500])
    for (const a of answers.filter((x) => x.status !== 200)) expect(a.body).toMatchObject({ code: "REDEMPTION_ALREADY_USED", type: "not_allowed" })
    expect(answers.filter((a) => a.status === 400)).toHaveLength(2)
    for (const c of carts) expect(serverLog).toContain(`store-cart-completion-strategy: ${c.cart.id}`)
  })
})
