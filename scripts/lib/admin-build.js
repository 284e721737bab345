// @ts-check
/**
 * Build the Medusa v1 admin dashboard (@medusajs/admin-ui, webpack) with THIS plugin's admin extension, the way a
 * store's `medusa-admin build` does, for the browser test and the demo. Differences from the CLI, on purpose:
 * - the plugin is given by the repository's absolute path (the CLI reads it from medusa-config.js, `enableUI: true`);
 * - a compile error THROWS: `medusa-admin build` logs it and exits 0, so a broken extension would ship silently;
 * - the result is cached by a fingerprint of the extension bundle and the dashboard version (a rebuild is ~50 s and
 *   ~1.2 GB RSS on 2 cores), so only the first suite or demo of a checkout pays for it.
 */
const crypto = require("crypto")
const fs = require("fs")
const path = require("path")

const REPO_ROOT = path.resolve(__dirname, "..", "..")
const EXTENSION_ENTRY = path.join(REPO_ROOT, "dist", "admin", "_virtual_entry.js")
// Not under node_modules: the dashboard's webpack config excludes /node_modules/ from its TypeScript loader.
const CACHE_ROOT = path.join(REPO_ROOT, ".cache", "admin")

/** The path the dashboard is served under (routes are `${ADMIN_PATH}/a/...`). */
const ADMIN_PATH = "/app"

function fingerprint() {
  if (!fs.existsSync(EXTENSION_ENTRY)) {
    throw new Error(`${EXTENSION_ENTRY} is missing: run \`npm run build\` (it bundles the admin extension)`)
  }
  const adminUi = require("@medusajs/admin-ui/package.json").version
  return crypto.createHash("sha256").update(adminUi).update(fs.readFileSync(EXTENSION_ENTRY)).digest("hex").slice(0, 12)
}

/**
 * The directory of a production dashboard build that includes the extension (index.html + assets), built if the
 * cache has none for the current extension bundle.
 * @param {{ log?: (line: string) => void }} [opts]
 * @returns {Promise<{ buildDir: string, built: boolean, ms: number }>}
 */
async function buildAdminDashboard(opts = {}) {
  const log = opts.log ?? (() => {})
  const appDir = path.join(CACHE_ROOT, fingerprint())
  const buildDir = path.join(appDir, "build")
  if (fs.existsSync(path.join(buildDir, "index.html"))) return { buildDir, built: false, ms: 0 }
  fs.rmSync(CACHE_ROOT, { recursive: true, force: true }) // older fingerprints: ~20 MB each
  fs.mkdirSync(appDir, { recursive: true })
  const t0 = Date.now()
  log(`building the admin dashboard with the loyalty extension in ${appDir} (about a minute)…`)
  const { build } = require("@medusajs/admin-ui")
  const { stats } = /** @type {{ stats: import("webpack").Stats }} */ (await build({
    appDir,
    buildDir: "build",
    plugins: [REPO_ROOT],
    options: { path: ADMIN_PATH, backend: "/", outDir: buildDir },
    reporting: "minimal",
  }))
  if (stats.hasErrors()) {
    fs.rmSync(buildDir, { recursive: true, force: true })
    const errors = stats.toJson({ all: false, errors: true }).errors ?? []
    throw new Error(`the admin dashboard did not compile:\n${errors.map((/** @type {{ message: string }} */ e) => e.message).join("\n").slice(0, 4000)}`)
  }
  return { buildDir, built: true, ms: Date.now() - t0 }
}

/**
 * The same build in a child Node process: webpack's plugins use dynamic import(), which a jest test's VM sandbox
 * refuses, and the ~1.2 GB peak stays out of the caller. Resolves with the child's result; rejects with its output.
 * @returns {Promise<{ buildDir: string, built: boolean, ms: number }>}
 */
function buildAdminDashboardInChild() {
  const { execFile } = require("child_process")
  return new Promise((resolve, reject) => {
    // 15 minutes: ten times a cold build here; a hung webpack is killed rather than holding the suite.
    const options = { maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000, killSignal: /** @type {const} */ ("SIGKILL"), env: { ...process.env, FORCE_COLOR: "0" } }
    execFile(process.execPath, [__filename], options, (err, stdout, stderr) => {
      const last = stdout.trim().split("\n").pop() ?? ""
      if (err || !last.startsWith("{")) reject(new Error(`admin dashboard build failed: ${err?.message ?? ""}\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`))
      else resolve(JSON.parse(last))
    })
  })
}

if (require.main === module) {
  buildAdminDashboard({ log: (line) => console.error(line) }).then(
    (r) => console.log(JSON.stringify(r)),
    (e) => {
      console.error(e instanceof Error ? e.message : e)
      process.exit(1)
    }
  )
}

module.exports = { buildAdminDashboard, buildAdminDashboardInChild, ADMIN_PATH }
