#!/usr/bin/env node
// The end of `npm test` (after the build and the typecheck): the root suite (jest, Medusa 1.20) and the v2 suite
// (scripts/test-v2.mjs, Medusa 2.21) side by side. Each is one process waiting on PostgreSQL, Medusa and Chromium much
// of the time, so on a 2-core machine the two together take little longer than the longer one alone (about 40% less
// than one after the other). The root suite prints as it goes; the v2 suite's output goes to a log printed whole
// once the root suite has finished, so neither interleaves with the other. Exits non-zero when either fails.
//   LOYALTY_TEST_SERIAL=1   one after the other, both printing as they go (the old order: root, then v2)
import { spawn } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const serial = process.env.LOYALTY_TEST_SERIAL === "1"
// `npm test` has just built dist/: the v2 suite need not compile the root again, and the root's pack test packs that
// build rather than rebuilding it (`rm -rf dist` under a v2 spec that is running the root CLI from dist/).
const env = { ...process.env, LOYALTY_ROOT_BUILT: "1", LOYALTY_PACK_SKIP_BUILD: "1" }

/** Runs a command to completion; `log` (a file path) takes its output instead of this terminal. */
function run(label, cmd, args, log) {
  const t0 = Date.now()
  const out = log ? fs.openSync(log, "w") : "inherit"
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", out, out] })
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      if (log) fs.closeSync(out)
      resolve({ label, status: code ?? (signal ? 1 : 0), seconds: Math.round((Date.now() - t0) / 1000), log })
    })
  })
}

function report(r) {
  if (r.log) {
    console.log(`\n===== ${r.label}: its output (${r.log}) =====`)
    process.stdout.write(fs.readFileSync(r.log, "utf8"))
  }
  console.log(`[test] ${r.label}: exit ${r.status} in ${r.seconds} s`)
}

const t0 = Date.now()
let results
if (serial) {
  const root = await run("root suite (Medusa 1.20)", "npx", ["jest", "--runInBand"])
  const v2 = await run("v2 suite (Medusa 2.21)", process.execPath, ["scripts/test-v2.mjs"])
  results = [root, v2]
  results.forEach(report)
} else {
  const log = path.join(os.tmpdir(), `loyalty-test-v2-${process.pid}.log`)
  console.log(`[test] the v2 suite runs alongside; its output follows the root suite's (live: tail -f ${log})`)
  const v2 = run("v2 suite (Medusa 2.21)", process.execPath, ["scripts/test-v2.mjs"], log)
  const root = await run("root suite (Medusa 1.20)", "npx", ["jest", "--runInBand"])
  report(root)
  const v2Result = await v2
  report(v2Result)
  results = [root, v2Result]
}
console.log(`[test] ${results.map((r) => `${r.label} ${r.status === 0 ? "passed" : "FAILED"}`).join(", ")}; ${Math.round((Date.now() - t0) / 1000)} s in all`)
process.exit(results.some((r) => r.status !== 0) ? 1 : 0)
