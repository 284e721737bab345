/**
 * The admin widget in a real browser: this folder served as a Medusa 2.21 app with its admin (`medusa develop`,
 * LOYALTY_V2_ADMIN=true turns the test config's admin on) on a throwaway PostgreSQL database, Debian's Chromium
 * driven by playwright-core (the root's scripts/lib/browser.js). An admin logs in, opens a customer, and the widget
 * shows the balance and tier the API returns; an adjustment submitted in the widget is what the API then answers.
 */
import { ChildProcess, execFile, spawn } from "child_process"
import net from "net"
import path from "path"
import { promisify } from "util"

jest.setTimeout(600_000)

const run = promisify(execFile)
const v2 = path.resolve(__dirname, "../..")
const root = path.resolve(v2, "..")
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { findChromium, launchChromium } = require(path.join(root, "scripts/lib/browser.js"))
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { Client } = require("pg")

const PG = process.env.LOYALTY_TEST_PG ?? "postgres://postgres@localhost:5432"
const db = `loyalty_v2_admin_${process.pid}_${Date.now()}`
const email = "admin@widget.test"
const password = "secret-widget"

const timings: Record<string, number> = {}
async function timed<T>(name: string, step: () => Promise<T>): Promise<T> {
  const start = Date.now()
  try {
    return await step()
  } finally {
    timings[name] = Date.now() - start
  }
}

async function sql(statement: string) {
  const client = new Client({ connectionString: `${PG}/postgres` })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.listen(0, () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on("error", reject)
  })
}

async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown = null
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value) return value
    } catch (e) {
      last = e
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`)
}

const chromium = findChromium()
const describeWithBrowser = chromium ? describe : describe.skip

describeWithBrowser("the customer loyalty widget in the v2 admin (real Chromium)", () => {
  let server: ChildProcess | null = null
  let output = ""
  let base = ""
  let browser: any = null
  let token = ""
  const env = (port: number) => ({
    ...process.env,
    NODE_ENV: "development",
    DATABASE_URL: `${PG}/${db}`,
    LOYALTY_V2_ADMIN: "true",
    PORT: String(port),
    MEDUSA_DISABLE_TELEMETRY: "true",
    DO_NOT_TRACK: "1",
  })
  const api = async (p: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const r = await fetch(`${base}${p}`, {
      method: init.method ?? "GET",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
    const body = await r.json().catch(() => null)
    if (!r.ok) throw new Error(`${init.method ?? "GET"} ${p} → ${r.status} ${JSON.stringify(body)}`)
    return body
  }

  beforeAll(async () => {
    const port = await freePort()
    base = `http://localhost:${port}`
    await sql(`CREATE DATABASE "${db}"`)
    await timed("migrate", () => run("npx", ["medusa", "db:migrate"], { cwd: v2, env: env(port), maxBuffer: 64 << 20 }))
    await timed("admin user", () => run("npx", ["medusa", "user", "-e", email, "-p", password], { cwd: v2, env: env(port), maxBuffer: 64 << 20 }))
    server = spawn("npx", ["medusa", "develop"], { cwd: v2, env: env(port), detached: true, stdio: ["ignore", "pipe", "pipe"] })
    server.stdout!.on("data", (d) => (output = (output + d).slice(-20000)))
    server.stderr!.on("data", (d) => (output = (output + d).slice(-20000)))
    await timed("develop boot", () =>
      waitUntil("/health", async () => (await fetch(`${base}/health`)).ok, 480_000).catch((e) => {
        throw new Error(`${e.message}\n${output}`)
      })
    )
    token = (await api("/auth/user/emailpass", { method: "POST", body: { email, password } })).token
    browser = await launchChromium(chromium)
  })

  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`v2 admin widget timings (ms): ${JSON.stringify(timings)}`)
    await browser?.close().catch(() => undefined)
    if (server?.pid) {
      try {
        process.kill(-server.pid, "SIGTERM")
      } catch {
        /* gone */
      }
      await new Promise((r) => setTimeout(r, 2000))
      try {
        process.kill(-server.pid, "SIGKILL")
      } catch {
        /* gone */
      }
    }
    await sql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined)
  })

  it("shows the balance and tier the API returns, and an adjustment submitted in the widget is what the API then answers", async () => {
    const { customer } = await api("/admin/customers", { method: "POST", body: { email: "widget-member@loyalty.test", first_name: "Wid", last_name: "Get" } })
    await api(`/admin/loyalty/accounts/${customer.id}/adjustments`, {
      method: "POST", body: { points: 1200, reason: "welcome" }, headers: { "idempotency-key": "widget-seed" },
    })
    const before = (await api(`/admin/loyalty/accounts/${customer.id}`)).loyalty_account
    expect([before.points_balance, before.tier?.name]).toEqual([1200, "Silver"])

    const page = await browser.newPage()
    try {
      await timed("login", async () => {
        await page.goto(`${base}/app/login`, { timeout: 180_000 })
        await page.fill('input[name="email"]', email, { timeout: 180_000 })
        await page.fill('input[name="password"]', password)
        await page.click('button[type="submit"]')
        await page.waitForURL((u: URL) => !u.pathname.includes("/login"), { timeout: 120_000 })
      })
      await timed("customer page", async () => {
        await page.goto(`${base}/app/customers/${customer.id}`, { timeout: 180_000 })
        await page.getByTestId("loyalty-balance").waitFor({ timeout: 180_000 })
      })
      expect((await page.getByTestId("loyalty-balance").textContent())?.trim()).toBe(`${before.points_balance} points`)
      expect((await page.getByTestId("loyalty-tier").textContent())?.trim()).toBe(before.tier.name)
      expect(await page.getByTestId("loyalty-entry").count()).toBe(1)

      // Adjust in the widget: -300 takes lifetime below Silver (a correction: Bronze at once).
      await timed("adjust in widget", async () => {
        await page.fill("#loyalty-adjust-points", "-300")
        await page.fill("#loyalty-adjust-reason", "browser correction")
        await page.getByRole("button", { name: "Adjust" }).click()
        await page.getByTestId("loyalty-adjust-message").waitFor({ timeout: 60_000 })
      })
      expect((await page.getByTestId("loyalty-adjust-message").textContent())?.trim()).toBe("Adjusted by -300 points")
      const after = (await api(`/admin/loyalty/accounts/${customer.id}`)).loyalty_account
      expect([after.points_balance, after.tier?.name]).toEqual([900, "Bronze"])
      await waitUntil("the widget to show the new balance", async () =>
        (await page.getByTestId("loyalty-balance").textContent())?.trim() === "900 points", 120_000)
      expect((await page.getByTestId("loyalty-tier").textContent())?.trim()).toBe("Bronze")
      const { entries } = await api(`/admin/loyalty/accounts/${customer.id}/entries`)
      expect(entries.map((e: { points: number; reason: string }) => [e.points, e.reason])).toEqual([[-300, "browser correction"], [1200, "welcome"]])
    } finally {
      await page.close()
    }
  })
})
