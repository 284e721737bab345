// HTTP load with autocannon, run in a child process (see load-child.mjs). Refuses results with errors or non-2xx
// answers: a 401 answered fast would otherwise pass for a fast endpoint.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { median } from "./stats.mjs"

const CHILD = fileURLToPath(new URL("./load-child.mjs", import.meta.url))

/**
 * @typedef {{ p50_ms: number, p99_ms: number, p95_ms?: number, mean_ms: number, rps: number, requests: number, non2xx: number,
 *   errors: number, timeouts: number, duration_s: number }} LoadResult
 * @param {{ url: string, headers?: Record<string, string>, connections: number, duration_s: number, p95?: boolean }} opts
 *   `p95`: also the exact p95 of every response time (`p95_ms`)
 * @returns {Promise<LoadResult>}
 */
export async function runLoad(opts) {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(opts)], { stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  let err = ""
  child.stdout.on("data", (d) => (out += d))
  child.stderr.on("data", (d) => (err += d))
  const code = await new Promise((resolve, reject) => {
    child.on("error", reject)
    child.on("close", resolve)
  })
  if (code !== 0) throw new Error(`autocannon exited with ${code}: ${err.slice(0, 800)}`)
  const result = JSON.parse(out)
  if (result.non2xx || result.errors || result.timeouts || !result.requests) {
    throw new Error(
      `load on ${opts.url} failed: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts, ${result.requests} requests`
    )
  }
  return result
}

/**
 * The result rows of an A/B load comparison (the plugin's route against Medusa's): for each metric, the median over
 * the rounds of both targets, the plugin's row naming Medusa's as its baseline with `target` as the goal ratio; then
 * each target's SQL round trips per request. `results` / `trips`: target name → per-round load results / counts.
 */
export function loadComparisonRows({ plugin, medusa, results, trips, metrics, target }) {
  const rows = []
  for (const [label, unit, f] of metrics) {
    for (const t of [plugin, medusa]) {
      const xs = results.get(t.name).map(f)
      rows.push({
        name: `${t.name}: ${label}`,
        unit,
        median: median(xs),
        n: xs.length,
        ...(t === plugin ? { baseline_name: `${medusa.name}: ${label}`, target } : {}),
      })
    }
  }
  for (const t of [plugin, medusa]) {
    rows.push({ name: `${t.name}: SQL round trips per request`, unit: "queries", median: median(trips.get(t.name)), n: trips.get(t.name).length })
  }
  return rows
}
