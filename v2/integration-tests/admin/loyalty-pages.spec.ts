/**
 * The Loyalty, Rules and Loyalty settings pages and the customer widget of the v2 admin in a real browser, on a real Medusa 2.21 app
 * (`medusa develop` serving this folder's admin, dev-app.ts) with real orders placed over the store API. What each page
 * shows is compared with what the plugin's admin routes answer. Both admin auth types: the session cookie (the
 * default) and a JWT (ADMIN_AUTH_TYPE=jwt): the pages call the routes through the admin client, so each sends what the
 * store's admin signs in with. A route this server does not answer yet (404) must leave its section in a readable
 * error state, and the rest of the page working.
 */
import fs from "fs"
import path from "path"
import { activityRange, backtestSummary, issueLine } from "../../src/core/domain/reports/admin-view"
import { DevApp, chromium, logIn, startDevApp, v2, waitUntil } from "./dev-app"
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { fetchApi, setUpStore } = require("../../scripts/lib/store-http")

jest.setTimeout(900_000)

const SHOTS = path.resolve(v2, process.env.LOYALTY_SCREENSHOT_DIR ?? "../.tmp/screenshots")
const describeWithBrowser = chromium ? describe : describe.skip

type File = { name: string; content: string }
const accrualOnDisk = fs.readFileSync(path.join(v2, "rules/accrual.json"), "utf8")
const BASE_EARN = '"params": { "points": 1, "per_minor": 100'
/** The default accrual with the base earn's points replaced (a string breaks it; 2 doubles it). */
const accrualWith = (points: string) => {
  if (!accrualOnDisk.includes(BASE_EARN)) throw new Error("rules/accrual.json no longer has the base earn this test edits")
  return accrualOnDisk.replace(BASE_EARN, `"params": { "points": ${points}, "per_minor": 100`)
}

async function shot(page: any, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: path.join(SHOTS, name) })
}

/** The authorization header of every request the page makes to the plugin's admin routes. */
function recordLoyaltyAuth(page: any): Array<string | null> {
  const seen: Array<string | null> = []
  page.on("request", (r: any) => {
    if (new URL(r.url()).pathname.startsWith("/admin/loyalty/")) seen.push(r.headers()["authorization"] ?? null)
  })
  return seen
}

/** The customer ids of the member rows on screen. */
async function memberRows(page: any): Promise<string[]> {
  return (await page.locator("[data-member]").evaluateAll((els: Element[]) => els.map((e) => e.getAttribute("data-member")))).sort()
}

async function waitForMembers(page: any, expected: string[], what: string) {
  const want = [...expected].sort()
  await waitUntil(what, async () => {
    if ((await page.getByTestId("loyalty-members").getAttribute("data-loading")) !== "false") return false
    return JSON.stringify(await memberRows(page)) === JSON.stringify(want)
  }, 120_000).catch(async (e) => {
    throw new Error(`${e.message}: rows ${JSON.stringify(await memberRows(page))}, want ${JSON.stringify(want)}`)
  })
}

describeWithBrowser("the v2 admin's Loyalty, Rules and settings pages with session auth (real Chromium, real orders)", () => {
  let app: DevApp
  let grace: { id: string; email: string }
  let bob: { id: string; email: string }
  let orderId = ""

  beforeAll(async () => {
    app = await startDevApp("pages_session", "session")
    const store: any = await app.timed<any>("store setup", () => setUpStore(fetchApi(app.base), { headers: { authorization: `Bearer ${app.token}` } }))
    await app.timed("orders", async () => {
      grace = await store.registerCustomer("grace.big@loyalty.test")
      bob = await store.registerCustomer("bob.small@loyalty.test")
      orderId = (await store.placeOrder(grace, [{ price: 100, quantity: 12 }])).id
      await store.placeOrder(bob, [{ price: 19.99, quantity: 1 }])
      for (const m of [grace, bob]) {
        await waitUntil(`the accrual of ${m.email}`, async () => (await app.api(`/admin/loyalty/accounts/${m.id}`)).loyalty_account.points_lifetime > 0, 180_000)
      }
    })
  })

  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`v2 admin pages (session) timings (ms): ${JSON.stringify(app?.timings)}`)
    await app?.stop()
  })

  it("lists the members the orders made with the tiers the API answers, and search and the tier filter narrow the list to the matching member", async () => {
    const g = (await app.api(`/admin/loyalty/accounts/${grace.id}`)).loyalty_account
    const b = (await app.api(`/admin/loyalty/accounts/${bob.id}`)).loyalty_account
    expect(g.tier.code).not.toBe(b.tier.code)
    const page = await app.browser.newPage({ viewport: { width: 1440, height: 1000 } })
    const auth = recordLoyaltyAuth(page)
    try {
      await app.timed("login", () => logIn(page, app))
      await app.timed("loyalty page", async () => {
        await page.goto(`${app.base}/app/loyalty`, { timeout: 180_000 })
        await waitForMembers(page, [grace.id, bob.id], "both members")
      })
      const row = page.locator(`[data-member="${grace.id}"] td`)
      expect((await row.allTextContents()).map((t: string) => t.trim())).toEqual([
        grace.email, g.points_balance.toLocaleString("en-US"), g.points_pending.toLocaleString("en-US"), g.points_lifetime.toLocaleString("en-US"), g.tier.name,
      ])

      await page.fill('input[name="member-search"]', "bob.small")
      const searched = (await app.api("/admin/loyalty/accounts?q=bob.small")).loyalty_accounts.map((a: { customer_id: string }) => a.customer_id)
      expect(searched).toEqual([bob.id])
      await waitForMembers(page, searched, "the search to narrow the list")

      await page.fill('input[name="member-search"]', "")
      await waitForMembers(page, [grace.id, bob.id], "the cleared search")
      await page.getByTestId("loyalty-tier-filter").click()
      await page.getByRole("option", { name: g.tier.name, exact: true }).click()
      const filtered = (await app.api(`/admin/loyalty/accounts?tier=${g.tier.code}`)).loyalty_accounts.map((a: { customer_id: string }) => a.customer_id)
      expect(filtered).toEqual([grace.id])
      await waitForMembers(page, filtered, "the tier filter to narrow the list")

      // The session cookie, not a bearer token, carried every loyalty request.
      expect(auth.length).toBeGreaterThan(0)
      expect(auth.filter((h) => h !== null)).toEqual([])
      expect((await page.context().cookies()).some((c: { name: string }) => c.name === "connect.sid")).toBe(true)
    } finally {
      await page.close()
    }
  })

  it("draws the activity and liability charts as /stats/activity answers and the members per tier as /stats/tiers answers, or says the route is missing", async () => {
    const { from, to } = activityRange(new Date(), 30)
    const activityStatus = await app.status(`/admin/loyalty/stats/activity?from=${from}&to=${to}`)
    const tiersStatus = await app.status("/admin/loyalty/stats/tiers")
    const page = await app.browser.newPage({ viewport: { width: 1440, height: 1000 } })
    try {
      await logIn(page, app)
      await page.goto(`${app.base}/app/loyalty`, { timeout: 180_000 })
      await waitForMembers(page, [grace.id, bob.id], "both members")
      if (activityStatus === 200) {
        const { days } = await app.api(`/admin/loyalty/stats/activity?from=${from}&to=${to}`)
        const bars = days.flatMap((d: Record<string, number>) => ["issued_points", "redeemed_points", "expired_points", "clawed_back_points", "adjusted_points"].filter((k) => d[k] !== 0))
        expect(bars.length).toBeGreaterThan(0)
        await page.getByTestId("loyalty-chart-activity").waitFor({ timeout: 60_000 })
        expect(await page.locator('[data-testid="loyalty-chart-activity"] rect[data-series]').count()).toBe(bars.length)
        expect(await page.locator('[data-testid="loyalty-chart-liability"] circle[data-point]').count()).toBe(days.length)
      } else {
        expect(activityStatus).toBe(404)
        await page.getByTestId("loyalty-activity-error").waitFor({ timeout: 60_000 })
        expect(await page.getByTestId("loyalty-activity-error").textContent()).toContain("Not available on this server (404")
      }
      if (tiersStatus === 200) {
        const { tiers } = await app.api("/admin/loyalty/stats/tiers")
        await page.getByTestId("loyalty-chart-tiers").waitFor({ timeout: 60_000 })
        const bars = await page.locator("[data-bar]").evaluateAll((els: Element[]) => els.map((e) => [e.getAttribute("data-bar"), Number(e.getAttribute("data-value"))]))
        expect(bars).toEqual(tiers.map((t: { name: string; members: number }) => [t.name, t.members]))
      } else {
        expect(tiersStatus).toBe(404)
        await page.getByTestId("loyalty-tier-stats-error").waitFor({ timeout: 60_000 })
      }
      // The sections behind routes v2 has render whatever the stats routes answer.
      await page.locator('[data-testid="loyalty-tiers"] [data-tier="bronze"]').waitFor({ timeout: 60_000 })
      await shot(page, "v2-loyalty.png")
    } finally {
      await page.close()
    }
  })

  it("shows a broken candidate's issue at the file and JSON pointer /rules/validate gives, and a backtest's liability delta as /rules/backtest computes it", async () => {
    const filesStatus = await app.status("/admin/loyalty/rules/files")
    const live: File[] = filesStatus === 200 ? (await app.api("/admin/loyalty/rules/files")).files : []
    const candidate = (accrual: string): File[] =>
      filesStatus === 200 ? live.map((f) => (f.name === "accrual.json" ? { ...f, content: accrual } : f)) : [{ name: "accrual.json", content: accrual }]
    const broken = accrualWith('"one"')
    const expected = await app.api("/admin/loyalty/rules/validate", { method: "POST", body: { files: candidate(broken) } })
    expect(expected.valid).toBe(false)
    expect(expected.issues.some((x: { file: string; pointer: string }) => x.file === "accrual.json" && x.pointer.startsWith("/rules/0/event/params"))).toBe(true)

    const page = await app.browser.newPage({ viewport: { width: 1440, height: 1000 } })
    try {
      await logIn(page, app)
      await page.goto(`${app.base}/app/loyalty/rules`, { timeout: 180_000 })
      await page.getByTestId("loyalty-live-version").waitFor({ timeout: 180_000 })
      if (filesStatus !== 200) {
        // No live text to start from: the editor says why, and a file is added by hand.
        await page.getByTestId("loyalty-files-error").waitFor({ timeout: 60_000 })
        await page.getByRole("button", { name: "Add file" }).click()
        await page.getByLabel("File name").last().fill("accrual.json")
      }
      const editor = page.getByLabel("Content of accrual.json")
      await editor.waitFor({ timeout: 60_000 })
      await editor.fill(broken)
      await page.getByRole("button", { name: "Validate" }).click()
      await page.getByTestId("loyalty-validate-result").waitFor({ timeout: 60_000 })
      expect((await page.getByTestId("loyalty-validate-result").textContent())?.trim()).toBe(`${expected.issues.length} issue(s) — nothing was applied`)
      const shown = (await page.getByTestId("loyalty-issue").allTextContents()).map((t: string) => t.trim()).sort()
      expect(shown).toEqual(expected.issues.map(issueLine).sort())
      await page.getByTestId("loyalty-validate-result").scrollIntoViewIfNeeded()
      await shot(page, "v2-rules-validate.png")

      const doubled = candidate(accrualWith("2"))
      const backtest = await fetch(`${app.base}/admin/loyalty/rules/backtest`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${app.token}` },
        body: JSON.stringify({ files: doubled }),
      })
      await editor.fill(accrualWith("2"))
      await page.getByRole("button", { name: "Backtest" }).click()
      if (backtest.status === 200) {
        const report = await backtest.json()
        expect(report.orders_evaluated).toBeGreaterThanOrEqual(2)
        expect(report.liability_delta_points).toBeGreaterThan(0)
        await page.getByTestId("loyalty-backtest-delta").waitFor({ timeout: 120_000 })
        expect((await page.getByTestId("loyalty-backtest-delta").textContent())?.trim()).toBe(backtestSummary(report))
        await page.getByTestId("loyalty-backtest-delta").scrollIntoViewIfNeeded()
      } else {
        expect(backtest.status).toBe(404)
        await page.getByTestId("loyalty-backtest-error").waitFor({ timeout: 60_000 })
        expect(await page.getByTestId("loyalty-backtest-error").textContent()).toContain("Not available on this server (404")
      }
      await shot(page, "v2-rules-backtest.png")

      // The live rules simulate the real order as /simulate does.
      const sim = await app.api("/admin/loyalty/simulate", { method: "POST", body: { order_id: orderId } })
      await page.getByLabel("Order id").fill(orderId)
      await page.getByRole("button", { name: "Simulate (live rules)" }).click()
      await page.getByTestId("loyalty-simulate-result").waitFor({ timeout: 60_000 })
      expect(await page.getByTestId("loyalty-simulate-result").textContent()).toContain(`Live rules: ${sim.points.toLocaleString("en-US")} points from ${sim.rule_names.join(", ")}`)
    } finally {
      await page.close()
    }
  })

  it("shows the program settings /settings answers on Settings → Loyalty, or says the route is missing", async () => {
    const status = await app.status("/admin/loyalty/settings")
    const page = await app.browser.newPage({ viewport: { width: 1440, height: 1000 } })
    try {
      await logIn(page, app)
      await page.goto(`${app.base}/app/settings/loyalty`, { timeout: 180_000 })
      if (status === 200) {
        const settings = await app.api("/admin/loyalty/settings")
        await page.getByTestId("loyalty-settings").waitFor({ timeout: 180_000 })
        const keys = await page.locator('[data-testid="loyalty-settings-program"] [data-key]').evaluateAll((els: Element[]) => els.map((e) => e.getAttribute("data-key")))
        expect(keys).toEqual(Object.keys(settings.program))
      } else {
        expect(status).toBe(404)
        await page.getByTestId("loyalty-settings-error").waitFor({ timeout: 180_000 })
        expect(await page.getByTestId("loyalty-settings-error").textContent()).toContain("Not available on this server (404")
      }
      await shot(page, "v2-settings.png")
    } finally {
      await page.close()
    }
  })

  // Last in this block: its member would otherwise join the member list the first test compares.
  it("shows on the customer page the balance and tier the API returns, and a double-clicked adjustment posts one entry", async () => {
    const { customer } = await app.api("/admin/customers", { method: "POST", body: { email: "widget-member@loyalty.test", first_name: "Wid", last_name: "Get" } })
    await app.api(`/admin/loyalty/accounts/${customer.id}/adjustments`, {
      method: "POST", body: { points: 1200, reason: "welcome" }, headers: { "idempotency-key": "widget-seed" },
    })
    const before = (await app.api(`/admin/loyalty/accounts/${customer.id}`)).loyalty_account
    expect([before.points_balance, before.tier?.name]).toEqual([1200, "Silver"])

    const page = await app.browser.newPage({ viewport: { width: 1440, height: 1000 } })
    try {
      await logIn(page, app)
      await app.timed("customer page", async () => {
        await page.goto(`${app.base}/app/customers/${customer.id}`, { timeout: 180_000 })
        await page.getByTestId("loyalty-balance").waitFor({ timeout: 180_000 })
      })
      expect((await page.getByTestId("loyalty-balance").textContent())?.trim()).toBe("1200 points")
      expect((await page.getByTestId("loyalty-tier").textContent())?.trim()).toBe("Silver")
      expect(await page.getByTestId("loyalty-entry").count()).toBe(1)

      // -300 takes lifetime below Silver (a correction: Bronze at once); a double click must post it once.
      await page.fill("#loyalty-adjust-points", "-300")
      await page.fill("#loyalty-adjust-reason", "browser correction, double-clicked")
      await page.getByRole("button", { name: "Adjust" }).dblclick()
      await page.getByTestId("loyalty-adjust-message").waitFor({ timeout: 60_000 })
      expect((await page.getByTestId("loyalty-adjust-message").textContent())?.trim()).toBe("Adjusted by -300 points")
      await waitUntil("the widget to show the new balance", async () =>
        (await page.getByTestId("loyalty-balance").textContent())?.trim() === "900 points", 120_000)
      expect((await page.getByTestId("loyalty-tier").textContent())?.trim()).toBe("Bronze")
      const after = (await app.api(`/admin/loyalty/accounts/${customer.id}`)).loyalty_account
      expect([after.points_balance, after.tier?.name]).toEqual([900, "Bronze"])
      const { entries } = await app.api(`/admin/loyalty/accounts/${customer.id}/entries`)
      expect(entries.map((e: { points: number; reason: string }) => [e.points, e.reason])).toEqual([[-300, "browser correction, double-clicked"], [1200, "welcome"]])
      await shot(page, "v2-customer-widget.png")
    } finally {
      await page.close()
    }
  })

  it("retries an adjustment whose answer was lost with the same Idempotency-Key (one ledger entry), and shows one the API refuses inline, writing nothing", async () => {
    const { customer } = await app.api("/admin/customers", { method: "POST", body: { email: "widget-retry@loyalty.test", first_name: "Re", last_name: "Try" } })
    const reasons = async () => (await app.api(`/admin/loyalty/accounts/${customer.id}/entries`)).entries.map((e: { points: number; reason: string }) => [e.points, e.reason])
    const page = await app.browser.newPage({ viewport: { width: 1440, height: 1000 } })
    const keys: string[] = []
    let dropped = false
    try {
      await logIn(page, app)
      await page.goto(`${app.base}/app/customers/${customer.id}`, { timeout: 180_000 })
      await page.getByTestId("loyalty-balance").waitFor({ timeout: 180_000 })
      const message = async () => (await page.getByTestId("loyalty-adjust-message").textContent().catch(() => null))?.trim() ?? null

      // The server writes the entry, and the browser never hears back: the widget keeps the key for the retry.
      await page.route("**/admin/loyalty/accounts/*/adjustments", async (route: any) => {
        keys.push(route.request().headers()["idempotency-key"])
        if (dropped) return route.continue()
        dropped = true
        await route.fetch()
        await route.abort("connectionreset")
      })
      await page.fill("#loyalty-adjust-points", "40")
      await page.fill("#loyalty-adjust-reason", "lost answer, retried")
      await page.getByRole("button", { name: "Adjust" }).click()
      // The admin client may retry a request that got no answer by itself; if it gives up, the failure shows and the
      // merchant clicks again. Either way the retry must carry the first request's key.
      const done = "Adjusted by +40 points"
      await waitUntil("the adjustment settled", async () => (await message()) === done || (await message())?.startsWith("Adjustment refused:"), 120_000)
      if ((await message()) !== done) await page.getByRole("button", { name: "Adjust" }).click()
      await waitUntil("the retry answered", async () => (await message()) === done, 120_000)
      expect(keys.length).toBeGreaterThanOrEqual(2)
      expect(new Set(keys).size).toBe(1)
      expect(await reasons()).toEqual([[40, "lost answer, retried"]])
      await page.unroute("**/admin/loyalty/accounts/*/adjustments")

      // A reason over the API's 500 characters: the form lets it through, the API refuses it, the widget says why.
      await page.fill("#loyalty-adjust-points", "5")
      await page.fill("#loyalty-adjust-reason", "x".repeat(501))
      await page.getByRole("button", { name: "Adjust" }).click()
      await waitUntil("the refusal shown inline", async () => (await message())?.includes("body.reason"), 120_000)
      expect(await message()).toMatch(/^Adjustment refused: .*body\.reason/)
      expect(await reasons()).toEqual([[40, "lost answer, retried"]])
    } finally {
      await page.close()
    }
  })
})

describeWithBrowser("the v2 admin's loyalty pages with JWT auth (ADMIN_AUTH_TYPE=jwt, real Chromium)", () => {
  let app: DevApp

  beforeAll(async () => {
    app = await startDevApp("pages_jwt", "jwt")
  })

  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`v2 admin pages (jwt) timings (ms): ${JSON.stringify(app?.timings)}`)
    await app?.stop()
  })

  it("sends the admin's bearer token with every loyalty request: the member list, a validation and the customer widget work without a session", async () => {
    const { customer } = await app.api("/admin/customers", { method: "POST", body: { email: "jwt-member@loyalty.test", first_name: "J", last_name: "W" } })
    await app.api(`/admin/loyalty/accounts/${customer.id}/adjustments`, { method: "POST", body: { points: 1200, reason: "welcome" }, headers: { "idempotency-key": "jwt-seed" } })
    const page = await app.browser.newPage({ viewport: { width: 1440, height: 1000 } })
    const auth = recordLoyaltyAuth(page)
    try {
      await app.timed("login", () => logIn(page, app))
      await app.timed("loyalty page", async () => {
        await page.goto(`${app.base}/app/loyalty`, { timeout: 180_000 })
        await waitForMembers(page, [customer.id], "the member")
      })
      expect((await page.locator(`[data-member="${customer.id}"] td`).last().textContent())?.trim()).toBe("Silver")

      await page.goto(`${app.base}/app/loyalty/rules`, { timeout: 180_000 })
      await page.getByTestId("loyalty-live-version").waitFor({ timeout: 180_000 })
      const { rules } = await app.api("/admin/loyalty/rules")
      expect(await page.getByTestId("loyalty-live-version").textContent()).toContain(`Version ${rules.version.slice(0, 12)}`)

      await page.goto(`${app.base}/app/customers/${customer.id}`, { timeout: 180_000 })
      await page.getByTestId("loyalty-balance").waitFor({ timeout: 180_000 })
      expect((await page.getByTestId("loyalty-balance").textContent())?.trim()).toBe("1200 points")

      expect(auth.length).toBeGreaterThan(0)
      expect(auth.filter((h) => !h?.startsWith("Bearer "))).toEqual([])
      expect((await page.context().cookies()).some((c: { name: string }) => c.name === "connect.sid")).toBe(false)
    } finally {
      await page.close()
    }
  })
})
