#!/usr/bin/env node
// The end of `npm test` (after the build and the typecheck): the root suite (jest, Medusa 1.20) and the v2 suite
// (Medusa 2.21: unit, HTTP, admin and pack specs) on two lanes at once. Each lane is one process waiting on
// PostgreSQL, Medusa and Chromium much of the time, so a 2-core machine runs two of them in little more than the time
// of one. Lane 1 runs the root suite; lane 2 installs v2's dependencies, copies the core (sync-core) and runs v2's
// unit tests; then both lanes take v2's spec files from one queue, longest first, each spec in its own jest process,
// until the queue is empty. The root suite prints as it runs; each v2 spec's output is printed whole when it ends
// (after the root suite's, so neither interleaves), then a summary. Exits non-zero when anything failed.
//   LOYALTY_TEST_SERIAL=1   one lane: the root suite, then `npm run test:v2` (v2's suites one after the other)
import { spawn } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { prepareV2Env } from "./lib/v2-env.mjs"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const V2 = path.join(ROOT, "v2")
const LOGS = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-test-"))
// `npm test` has just built dist/: the root's pack test packs that build rather than running `prepack` (whose
// `rm -rf dist` would pull the root CLI from under a v2 spec that is running it).
const rootEnv = { ...process.env, LOYALTY_PACK_SKIP_BUILD: "1" }
// A spec that hangs is killed and fails rather than stalling CI.
const JOB_LIMIT_MS = Number(process.env.V2_TEST_TIMEOUT_MIN || 30) * 60_000

/**
 * v2's spec files, longest first (measured on a 2-core machine with the other lane busy, in seconds), so the two
 * lanes end close together. A spec file missing here runs last; one listed here but gone fails the run.
 */
const V2_SPECS = [
  ["admin", "integration-tests/admin/loyalty-pages.spec.ts", 330],
  ["pack", "integration-tests/pack", 300], // core-identical + fresh-app: one jest run (both pack the plugin)
  ["integration:http", "integration-tests/http/parity-ledger.spec.ts", 140],
  ["integration:http", "integration-tests/http/redemption.spec.ts", 100],
  ["integration:http", "integration-tests/http/parity-api.spec.ts", 94],
  ["integration:http", "integration-tests/http/parity-ops.spec.ts", 91],
  ["integration:http", "integration-tests/http/loyalty.spec.ts", 89],
  ["integration:http", "integration-tests/http/jobs.spec.ts", 70],
  ["integration:http", "integration-tests/http/cart-points.spec.ts", 60],
  ["integration:http", "integration-tests/http/earn-preview.spec.ts", 60],
  ["integration:http", "integration-tests/http/campaigns-referrals.spec.ts", 53],
  ["integration:http", "integration-tests/http/ledger-table.spec.ts", 52],
  ["integration:http", "integration-tests/http/actions.spec.ts", 35],
  ["integration:http", "integration-tests/http/openapi.spec.ts", 32],
  ["integration:http", "integration-tests/http/reports.spec.ts", 27],
  ["integration:http", "integration-tests/http/merchant-install.spec.ts", 24],
]

/** Runs a command to completion; its output goes to `log` (a file) or, without one, to this terminal. */
function run(label, cmd, args, { cwd = ROOT, env = rootEnv, log = null, timeout = 0 } = {}) {
  const t0 = Date.now()
  const out = log ? fs.openSync(log, "w") : "inherit"
  const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", out, out], detached: timeout > 0 })
  const timer = timeout ? setTimeout(() => { try { process.kill(-child.pid, "SIGKILL") } catch { /* gone */ } }, timeout) : null
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer)
      if (log) fs.closeSync(out)
      resolve({ label, status: code ?? (signal ? 1 : 0), signal, seconds: Math.round((Date.now() - t0) / 1000), log })
    })
  })
}

/** v2 spec files on disk, so a new one cannot be left out of the queue. */
function v2SpecFiles() {
  const under = (dir) => fs.readdirSync(path.join(V2, dir)).filter((f) => f.endsWith(".spec.ts")).map((f) => `${dir}/${f}`)
  return [...under("integration-tests/http"), ...under("integration-tests/admin"), ...under("integration-tests/pack")]
}

function v2Queue() {
  const listed = V2_SPECS.map(([type, target]) => ({ type, target }))
  const covered = (f) => listed.some((j) => j.target === f || f.startsWith(`${j.target}/`))
  const extra = v2SpecFiles().filter((f) => !covered(f)).map((f) => ({ type: f.includes("/admin/") ? "admin" : f.includes("/pack/") ? "pack" : "integration:http", target: f }))
  const gone = listed.filter((j) => !fs.existsSync(path.join(V2, j.target)))
  if (gone.length) throw new Error(`scripts/test-all.mjs lists v2 specs that do not exist: ${gone.map((j) => j.target).join(", ")}`)
  return [...listed, ...extra]
}

const ROOT_JSON = path.join(LOGS, "root.json")
const ROOT_JEST = ["jest", "--runInBand", "--json", `--outputFile=${ROOT_JSON}`]

/**
 * The root suite's failed tests, a few lines each, read from jest's JSON report. The root suite prints first and
 * live, so on a long run its failures scroll out of a CI log's tail; the summary repeats them at the end.
 */
function rootFailures() {
  let report
  try { report = JSON.parse(fs.readFileSync(ROOT_JSON, "utf8")) } catch { return ["  (no jest report: the root suite did not finish)"] }
  const lines = []
  for (const file of report.testResults ?? []) {
    const rel = path.relative(ROOT, file.name)
    if (file.status === "failed" && !(file.assertionResults ?? []).some((a) => a.status === "failed")) {
      lines.push(`  ${rel}: ${String(file.message).split("\n").filter(Boolean).slice(0, 8).join("\n    ")}`)
    }
    for (const a of file.assertionResults ?? []) {
      if (a.status !== "failed") continue
      const why = (a.failureMessages ?? []).join("\n").split("\n").filter(Boolean).slice(0, 8)
      lines.push(`  ${rel} › ${a.fullName}\n    ${why.join("\n    ")}`)
    }
  }
  return lines.length ? lines : ["  (jest reported no failed test: see the root suite's output above)"]
}

const printed = []
let rootDone = false
const pending = []
/** Prints a finished v2 step's output, or keeps it until the root suite (printing live) has finished. */
function report(r) {
  if (!rootDone) return void pending.push(r)
  if (r.log) {
    console.log(`\n===== ${r.label} (${r.seconds} s, exit ${r.status}) =====`)
    process.stdout.write(fs.readFileSync(r.log, "utf8"))
  }
  printed.push(r)
}

async function serial() {
  const root = await run("root suite (Medusa 1.20)", "npx", ROOT_JEST)
  const v2 = await run("v2 suite (Medusa 2.21)", "npm", ["run", "test:v2"], { env: { ...process.env } })
  return [root, v2]
}

async function lanes() {
  const { env, guard, stop } = await prepareV2Env(process.env, (m) => console.log(`[test] v2: ${m}`))
  const v2env = { ...env, NODE_OPTIONS: "--experimental-vm-modules" }
  const queue = v2Queue()
  const results = []
  const step = async (label, cmd, args, opts) => {
    const r = await run(label, cmd, args, { cwd: V2, env: v2env, log: path.join(LOGS, `${results.length}-${label.replace(/[^\w.-]+/g, "_")}.log`), ...opts })
    results.push(r)
    report(r)
    return r
  }
  const jest = (type, target) => step(`v2 ${target}`, "npx", ["jest", "--runInBand", "--forceExit", target], { env: { ...v2env, TEST_TYPE: type }, timeout: JOB_LIMIT_MS })
  const drain = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await jest(job.type, job.target)
  }
  console.log(`[test] lane 1: the root suite; lane 2: v2 install, sync-core, unit tests; then both: ${queue.length} v2 spec runs (logs in ${LOGS})`)
  const v2Ready = (async () => {
    const install = await step("v2 npm install", "npm", ["install", "--no-audit", "--no-fund"])
    const sync = install.status === 0 ? await step("v2 sync-core", "npm", ["run", "sync-core"]) : install
    return sync.status === 0
  })()
  const lane2 = (async () => {
    if (!(await v2Ready)) return
    await step("v2 unit", "npx", ["jest", "--silent", "--runInBand", "--forceExit"], { env: { ...v2env, TEST_TYPE: "unit" }, timeout: JOB_LIMIT_MS })
    await drain()
  })()
  const lane1 = (async () => {
    const root = await run("root suite (Medusa 1.20)", "npx", ROOT_JEST)
    rootDone = true
    console.log(`[test] root suite (Medusa 1.20): exit ${root.status} in ${root.seconds} s`)
    for (const r of pending.splice(0)) report(r)
    if (await v2Ready) await drain()
    return root
  })()
  const [root] = await Promise.all([lane1, lane2])
  await stop()
  if (!(await v2Ready)) results.push({ label: "v2 specs", status: 1, seconds: 0 })
  if (guard.written()) {
    console.log(`[test] ${guard.path} was created during the run: a Medusa process ran without the run's own config`)
    results.push({ label: "user config guard", status: 1, seconds: 0 })
  }
  console.log("\n[test] v2 steps (seconds, exit):")
  for (const r of results) console.log(`  ${String(r.seconds).padStart(5)}  ${r.status === 0 ? "ok    " : "FAILED"}  ${r.label}`)
  return [root, ...results]
}

const t0 = Date.now()
const results = process.env.LOYALTY_TEST_SERIAL === "1" ? await serial() : await lanes()
const failed = results.filter((r) => r.status !== 0)
if (results[0].status !== 0) console.log(`\n[test] root suite failures:\n${rootFailures().join("\n")}`)
for (const r of failed.filter((f) => f.log)) {
  // jest heads each failed test's report with "● <describe> › <test>": those lines name what to look at above.
  const titles = fs.readFileSync(r.log, "utf8").split("\n").filter((l) => /^\s+● /.test(l) && !/Migrat/.test(l))
  console.log(`\n[test] ${r.label} failures:\n${(titles.length ? titles : ["  (no failed test named: see its output above)"]).join("\n")}`)
}
console.log(`[test] ${failed.length ? `FAILED: ${failed.map((r) => r.label).join(", ")}` : "all passed"}; ${Math.round((Date.now() - t0) / 1000)} s in all`)
process.exit(failed.length ? 1 : 0)
