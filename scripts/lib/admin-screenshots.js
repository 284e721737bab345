// @ts-check
/**
 * The README's screenshots, captured from a running demo store (`npm run demo -- --screenshots`): log in to the
 * dashboard as the demo admin, open a member's customer page, the Loyalty page and the Rules page, and write PNGs.
 */
const fs = require("fs")
const path = require("path")
const { findChromium, launchChromium } = require("./browser")

/**
 * @param {{ baseUrl: string, email: string, password: string, customerId: string, outDir: string }} o
 * @returns {Promise<string[]>} the files written
 */
async function captureAdminScreenshots(o) {
  const executable = findChromium()
  if (!executable) throw new Error("no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)")
  fs.mkdirSync(o.outDir, { recursive: true })
  const browser = await launchChromium(executable)
  const written = []
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    await page.goto(`${o.baseUrl}/app/login`)
    await page.fill('input[name="email"]', o.email)
    await page.fill('input[name="password"]', o.password)
    await page.click('button[type="submit"]')
    await page.waitForURL(/\/app\/a\//, { timeout: 60_000 })
    /** @param {string} name @param {import("playwright-core").Locator} locator */
    const shot = async (name, locator) => {
      await locator.scrollIntoViewIfNeeded()
      const file = path.join(o.outDir, `${name}.png`)
      await locator.screenshot({ path: file })
      written.push(file)
    }
    await page.goto(`${o.baseUrl}/app/a/customers/${o.customerId}`)
    await page.getByTestId("loyalty-entries").waitFor({ timeout: 60_000 })
    await shot("admin-customer", page.getByTestId("loyalty-widget"))
    await page.goto(`${o.baseUrl}/app/a/loyalty`)
    await page.getByTestId("loyalty-chart-activity").locator("rect").first().waitFor({ timeout: 60_000 })
    await page.getByTestId("loyalty-members").locator("[data-member]").first().waitFor()
    await shot("admin-loyalty", page.getByTestId("loyalty-activity"))
    await shot("admin-members", page.getByTestId("loyalty-members"))
    await page.goto(`${o.baseUrl}/app/a/loyalty/rules`)
    await page.getByLabel("Content of accrual.json").waitFor({ timeout: 60_000 })
    await page.getByRole("button", { name: "Backtest" }).click()
    await page.getByTestId("loyalty-backtest-delta").waitFor({ timeout: 60_000 })
    await shot("admin-rules", page.getByTestId("loyalty-live-rules"))
  } finally {
    await browser.close()
  }
  return written
}

module.exports = { captureAdminScreenshots }
