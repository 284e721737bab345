// @ts-check
/**
 * Headless Chromium for the admin browser test and the README screenshots: Debian's `chromium` package driven by
 * playwright-core (no browser download, offline). The real binary, not the /usr/bin/chromium wrapper script (its
 * shell prints `[: …: unexpected operator` under some shells).
 */
const fs = require("fs")

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"]

/** @returns {string | null} the Chromium executable, or null when none is installed */
function findChromium() {
  return CANDIDATES.find((p) => !!p && fs.existsSync(p)) ?? null
}

/**
 * @param {string} executablePath
 * @returns {Promise<import("playwright-core").Browser>}
 */
async function launchChromium(executablePath) {
  const { chromium } = require("playwright-core")
  return chromium.launch({
    executablePath,
    // Offline sandbox as root: no sandbox, no /dev/shm limits, no GPU, and none of Chromium's background calls home
    // (refused by the closed network, many at a time, at every start).
    args: [
      "--no-sandbox",
      "--disable-dev-shm-usage",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  })
}

module.exports = { findChromium, launchChromium }
