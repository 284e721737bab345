#!/usr/bin/env node
// `npm run test:v2`: the Medusa v2 plugin's whole suite in v2/, one suite after the other (`npm test` schedules the same
// suites itself, scripts/test-all.mjs). Its database and environment: lib/v2-env.mjs. The root is compiled first: the
// v2 suite drives the root CLI (verify, backtest on a v2 database).
// A run that hangs is killed after V2_TEST_TIMEOUT_MIN minutes (default 45) and fails, rather than stalling CI.
import { spawnSync } from "node:child_process"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { prepareV2Env } from "./lib/v2-env.mjs"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const V2 = path.join(ROOT, "v2")

/** Runs a command, inheriting stdio; exits this process with its status when it fails. */
function run(cmd, args, cwd, env, timeout = 0) {
  const t = Date.now()
  const r = spawnSync(cmd, args, { cwd, env, stdio: "inherit", timeout, killSignal: "SIGKILL" })
  if (r.error) console.log(`[test:v2] ${cmd} ${args.join(" ")}: ${r.error.message}`)
  console.log(`[test:v2] ${cmd} ${args.join(" ")}: exit ${r.status} in ${((Date.now() - t) / 1000).toFixed(0)} s`)
  return r.status ?? 1
}

const { env, guard, stop } = await prepareV2Env()

let status = run("npx", ["tsc", "-p", "tsconfig.build.json"], ROOT, env)
if (status === 0) status = run("npm", ["install", "--no-audit", "--no-fund"], V2, env)
const minutes = Number(env.V2_TEST_TIMEOUT_MIN || 45)
if (status === 0) status = run("npm", ["test"], V2, env, minutes * 60_000)
await stop()
if (guard.written()) {
  console.log(`[test:v2] ${guard.path} was created during the run: a Medusa process ran without the run's own config`)
  status ||= 1
}
process.exit(status)
