/**
 * A real Medusa 2.21 app serving this folder's admin for the browser tests: `medusa start` with NODE_ENV=development
 * (the admin served by Vite's dev middleware, as `medusa develop` does, but without develop's file watcher: other
 * edits in this working tree would restart the server under the test) on a throwaway PostgreSQL database
 * (LOYALTY_V2_ADMIN=true turns the test config's admin on), an admin user, a bearer token for the
 * test's own HTTP calls, and Debian's Chromium driven by playwright-core (the root's scripts/lib/browser.js).
 * `authType` is the admin's auth (ADMIN_AUTH_TYPE, which the admin bundler builds into the dashboard).
 */
import { ChildProcess, execFile, spawn } from "child_process"
import net from "net"
import path from "path"
import { promisify } from "util"

const run = promisify(execFile)
export const v2 = path.resolve(__dirname, "../..")
const root = path.resolve(v2, "..")
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { findChromium, launchChromium } = require(path.join(root, "scripts/lib/browser.js"))
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { Client } = require("pg")

const PG = process.env.LOYALTY_TEST_PG ?? "postgres://postgres@localhost:5432"

export const chromium: string | null = findChromium()

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

/** Polls `probe` every half second until it answers something truthy; the last error is in the timeout's message. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown = null
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value) return value
    } catch (e) {
      // A probe that knows waiting cannot help (the server process is gone) ends the wait at once.
      if ((e as { fatal?: boolean }).fatal) throw e
      last = e
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`)
}

export type DevApp = {
  base: string
  email: string
  password: string
  token: string
  browser: any
  timings: Record<string, number>
  timed<T>(name: string, step: () => Promise<T>): Promise<T>
  /** The admin API with the test's bearer token; throws on a status ≥ 400 unless `allow` lists it. */
  api(p: string, init?: { method?: string; body?: unknown; headers?: Record<string, string>; allow?: number[] }): Promise<any>
  /** The status of a GET with the test's token (a route that is not there answers 404). */
  status(p: string): Promise<number>
  /** The server's latest output (for a failure's message). */
  output(): string
  stop(): Promise<void>
}

/** Boots the app (migrate, admin user, `medusa start` until /health), logs the API in and launches Chromium. */
export async function startDevApp(name: string, authType: "session" | "jwt"): Promise<DevApp> {
  const db = `loyalty_v2_${name}_${process.pid}_${Date.now()}`
  // A name the dashboard's login form accepts as an email (no underscore in the domain).
  const email = `admin.${name.replace(/[^a-z0-9]/gi, "-")}@loyalty.test`
  const password = `secret-${name}`
  const port = await freePort()
  const base = `http://localhost:${port}`
  const timings: Record<string, number> = {}
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const start = Date.now()
    try {
      return await fn()
    } finally {
      timings[step] = Date.now() - start
    }
  }
  const env = {
    ...process.env,
    NODE_ENV: "development",
    DATABASE_URL: `${PG}/${db}`,
    LOYALTY_V2_ADMIN: "true",
    ADMIN_AUTH_TYPE: authType,
    PORT: String(port),
    MEDUSA_DISABLE_TELEMETRY: "true",
    DO_NOT_TRACK: "1",
  }
  let server: ChildProcess | null = null
  let output = ""
  let browser: any = null
  const stop = async () => {
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
  }
  try {
    await sql(`CREATE DATABASE "${db}"`)
    await timed("migrate", () => run("npx", ["medusa", "db:migrate"], { cwd: v2, env, maxBuffer: 64 << 20 }))
    await timed("admin user", () => run("npx", ["medusa", "user", "-e", email, "-p", password], { cwd: v2, env, maxBuffer: 64 << 20 }))
    server = spawn("npx", ["medusa", "start"], { cwd: v2, env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
    server.stdout!.on("data", (d) => (output = (output + d).slice(-20000)))
    server.stderr!.on("data", (d) => (output = (output + d).slice(-20000)))
    let exited: string | null = null
    server.on("exit", (code, signal) => (exited = `medusa start exited (${signal ?? `code ${code}`}) before answering /health`))
    await timed("server boot", () =>
      waitUntil("/health", async () => {
        if (exited) throw Object.assign(new Error(exited), { fatal: true })
        return (await fetch(`${base}/health`)).ok
      }, 480_000).catch((e) => {
        throw new Error(`${e.message}\n${output}`)
      })
    )
  } catch (e) {
    await stop()
    throw e
  }
  let token = ""
  const call = async (p: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    await fetch(`${base}${p}`, {
      method: init.method ?? "GET",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
  const api: DevApp["api"] = async (p, init = {}) => {
    const r = await call(p, init)
    const body = await r.json().catch(() => null)
    if (!r.ok && !(init.allow ?? []).includes(r.status)) throw new Error(`${init.method ?? "GET"} ${p} → ${r.status} ${JSON.stringify(body)}`)
    return body
  }
  token = (await api("/auth/user/emailpass", { method: "POST", body: { email, password } })).token
  browser = await launchChromium(chromium)
  return { base, email, password, token, browser, timings, timed, api, status: async (p) => (await call(p)).status, output: () => output, stop }
}

/**
 * Signs in on the dashboard's login page and waits to leave it. Submits again while the page is still the login
 * form: Vite's dev server reloads the page once when it (re)optimizes dependencies on a first visit, which swallows
 * a submit made just before.
 */
export async function logIn(page: any, app: DevApp) {
  const deadline = Date.now() + 240_000
  const onLogin = () => new URL(page.url()).pathname.includes("/login")
  await page.goto(`${app.base}/app/login`, { timeout: 180_000 })
  for (let attempt = 1; ; attempt++) {
    try {
      await page.waitForSelector('input[name="email"]', { timeout: Math.max(1000, deadline - Date.now()) })
      await page.fill('input[name="email"]', app.email)
      await page.fill('input[name="password"]', app.password)
      await page.click('button[type="submit"]')
      await waitUntil("the dashboard after login", async () => !onLogin(), 60_000)
      return
    } catch (e) {
      if (!onLogin()) return
      if (Date.now() > deadline) {
        const body = ((await page.content().catch(() => "")) as string).slice(0, 1500)
        throw new Error(`login failed after ${attempt} attempts: ${(e as Error).message}\nat ${page.url()}: ${body}\nserver: ${app.output().slice(-3000)}`)
      }
    }
  }
}
