import { execFileSync, spawn, type ChildProcess } from "child_process"
import fs from "fs"
import net from "net"
import os from "os"
import path from "path"

/**
 * The pack-install test: `npm pack` the v2 plugin → install the tarball into a NEW Medusa 2.21 app (a
 * hand-written host as the recipe's section 1; create-medusa-app needs GitHub) → `medusa db:migrate` → boot → the
 * plugin's routes answer. Everything real: npm, the Medusa CLI, PostgreSQL, HTTP. Timings go to the console.
 * Needs PostgreSQL at DB_HOST/DB_USERNAME (.env.test: localhost, postgres) and the npm cache or registry.
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

  beforeAll(async () => {
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
    run("medusa db:create", "npx", ["medusa", "db:create", "--db", db], app, { DATABASE_URL: databaseUrl })
    run("medusa db:migrate", "npx", ["medusa", "db:migrate"], app, { DATABASE_URL: databaseUrl })
    run("medusa user", "npx", ["medusa", "user", "-e", "admin@fresh.test", "-p", "secret"], app, { DATABASE_URL: databaseUrl })
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    const started = Date.now()
    server = spawn("npx", ["medusa", "start"], { cwd: app, env: { ...env, DATABASE_URL: databaseUrl, PORT: String(port) }, detached: true })
    server.stdout?.on("data", (d) => (serverLog += d))
    server.stderr?.on("data", (d) => (serverLog += d))
    await waitFor("GET /health = 200", async () => (await fetch(`${base}/health`)).status === 200, 480_000).catch((e) => {
      throw new Error(`${e.message}\n${serverLog.slice(-4000)}`)
    })
    timings["boot to /health"] = Date.now() - started
  })

  afterAll(async () => {
    if (server?.pid) {
      try {
        process.kill(-server.pid, "SIGTERM") // the server's process group (npx and medusa), started by this test
      } catch {
        /* already gone */
      }
    }
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

  const admin = async () => {
    const res = await fetch(`${base}/auth/user/emailpass`, {
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
    const ran = run("medusa exec loyalty-jobs.js tiers", "npx", ["medusa", "exec", script, "tiers"], app, { DATABASE_URL: databaseUrl })
    expect(ran).toContain('"accounts_checked": 0')
  })
})
