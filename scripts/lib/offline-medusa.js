// @ts-check
/**
 * Keeps every Medusa process this repository starts (tests, demo, bench; v1 and v2; in-process or child) from
 * forking Medusa's telemetry sender, from printing its first-run banner, and from writing the user's
 * `~/.config/medusa`.
 *
 * Why `MEDUSA_DISABLE_TELEMETRY` alone is not enough (medusa-telemetry 0.0.18 and @medusajs/telemetry 2.x alike):
 * the variable only stops events being buffered. The telemeter still forks `util/send.js`, detached, on every flush
 * (every 20 tracked events, every 10 s after one, and at process exit) whenever its config store's
 * `telemetry.enabled` is unset or true, and on a machine with no config it prints the banner and writes `true` to
 * `~/.config/medusa/config.json`. Offline, each sender then waits on a network that does not exist.
 *
 * So the run gets a config directory of its own: `XDG_CONFIG_HOME` (configstore reads it when first loaded) points
 * at a temporary directory whose `medusa/config.json` says `telemetry.enabled: false`. It is set in the REAL
 * environment of the run's first process (jest's global setup, the demo, the bench, the v2 runner) so every process
 * started from there inherits it; jest's test sandboxes copy that environment when they start.
 *
 * A merchant's store is never touched: only this repository's scripts and tests call this, never the plugin.
 */
const fs = require("fs")
const os = require("os")
const path = require("path")

/** Set to the run's config directory once made; children see it and reuse the directory instead of making one. */
const MARKER = "LOYALTY_MEDUSA_CONFIG_HOME"
const CONFIG = { telemetry: { enabled: false, machine_id: "medusa-plugin-loyalty-rules-tests" } }

/**
 * True when `dir` holds a Medusa config that turns telemetry off (so a directory made by this module, or a copy).
 * @param {string | undefined} dir
 */
function isQuietConfigHome(dir) {
  if (!dir) return false
  try {
    const config = JSON.parse(fs.readFileSync(path.join(dir, "medusa", "config.json"), "utf8"))
    return config?.telemetry?.enabled === false
  } catch {
    return false
  }
}

/**
 * Makes `env` (default: this process's environment) one in which Medusa never forks a telemetry sender nor writes
 * the user's config: a run-owned `XDG_CONFIG_HOME` with telemetry disabled, plus `MEDUSA_DISABLE_TELEMETRY` and
 * `DO_NOT_TRACK`. Idempotent: a process that inherited the directory keeps it. The process that made the directory
 * removes it when it exits. Call it before anything loads Medusa.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {NodeJS.ProcessEnv} the same `env`
 */
function quietMedusaEnv(env = process.env) {
  let dir = env[MARKER]
  if (!isQuietConfigHome(dir)) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-medusa-config-"))
    fs.mkdirSync(path.join(dir, "medusa"))
    fs.writeFileSync(path.join(dir, "medusa", "config.json"), JSON.stringify(CONFIG, null, 2))
    const made = dir
    process.once("exit", () => fs.rmSync(made, { recursive: true, force: true }))
  }
  env[MARKER] = dir
  env.XDG_CONFIG_HOME = dir
  env.MEDUSA_DISABLE_TELEMETRY = "true"
  env.DO_NOT_TRACK = "1"
  return env
}

/**
 * Processes of medusa-telemetry's sender (`…/telemetry/dist/util/send.js`) alive now, read from /proc (Linux).
 * @param {(environ: string[]) => boolean} [filter] keep only processes whose environment passes (e.g. a HOME)
 * @returns {{ pid: number, cmdline: string }[]}
 */
function telemetrySenders(filter = () => true) {
  /** @type {{ pid: number, cmdline: string }[]} */
  const found = []
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ")
      if (!/telemetry[\\/]dist[\\/]util[\\/]send\.js/.test(cmdline)) continue
      if (!filter(fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0"))) continue
      found.push({ pid: Number(entry), cmdline })
    } catch {
      // the process ended while being read
    }
  }
  return found
}

/**
 * Watches the user's own Medusa config directory (`~/.config/medusa`) over a run: `written()` says whether it
 * appeared since the guard was made (a run of this repository must never create it).
 * @returns {{ path: string, written: () => boolean }}
 */
function userConfigGuard() {
  const dir = path.join(os.homedir(), ".config", "medusa")
  const existed = fs.existsSync(dir)
  return { path: dir, written: () => !existed && fs.existsSync(dir) }
}

module.exports = { quietMedusaEnv, isQuietConfigHome, telemetrySenders, userConfigGuard, MARKER }
