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
 * A route of the plugin against one of Medusa's under the same autocannon load (the http, preview, v2_http and
 * v2_preview sections): one warm-up per target, then `size.rounds` rounds, A/B then B/A alternately (a drift in the
 * machine's load hits both alike), then `trips()` (the sections count round trips their own way: in this process on
 * v1, in the server on v2). `p95`: the exact p95 of every response as well.
 * @param {import("./context.mjs").BenchContext} ctx
 * @param {{ targets: [{ name: string, path: string }, { name: string, path: string }], size: { connections: number,
 *   duration_s: number, rounds: number, warmup_s: number }, baseUrl: string, headers: Record<string, string>,
 *   p95?: boolean, target: number, trips: () => Promise<Map<string, number[]>> }} opts `targets`: the plugin's, then Medusa's
 * @returns {Promise<{ rows: object[], ratio: number }>} the comparison rows and the plugin's p50 over Medusa's
 */
export async function compareRoutes(ctx, { targets, size, baseUrl, headers, p95 = false, target, trips }) {
  const load = (t, duration_s) => runLoad({ url: baseUrl + t.path, headers, connections: size.connections, duration_s, p95 })
  ctx.log(`  ${size.connections} connections, ${size.rounds} rounds x ${size.duration_s} s per endpoint, alternating`)
  for (const t of targets) await load(t, size.warmup_s)
  const results = new Map(targets.map((t) => [t.name, []]))
  for (let r = 0; r < size.rounds; r++) {
    for (const t of r % 2 ? [...targets].reverse() : targets) {
      const res = await load(t, size.duration_s)
      results.get(t.name).push(res)
      const p95_text = p95 ? `, p95 ${res.p95_ms.toFixed(1)} ms` : ""
      ctx.log(`  round ${r + 1}: ${t.name} p50 ${res.p50_ms} ms${p95_text}, p99 ${res.p99_ms} ms, ${res.rps.toFixed(0)} req/s`)
    }
  }
  const [plugin, medusa] = targets
  const metrics = [
    ["latency p50", "ms", (x) => x.p50_ms],
    ...(p95 ? [["latency p95", "ms", (x) => x.p95_ms]] : []),
    ["latency p99", "ms", (x) => x.p99_ms],
    ["throughput", "req/s", (x) => x.rps],
  ]
  const rows = loadComparisonRows({ plugin, medusa, results, trips: await trips(), metrics, target })
  const p50 = (t) => rows.find((r) => r.name === `${t.name}: latency p50`).median
  return { rows, ratio: p50(plugin) / p50(medusa) }
}

/**
 * Each target's SQL round trips of `times` requests sent one at a time: `count(t)` sends one and returns its count.
 * @returns {Promise<Map<string, number[]>>}
 */
export async function tripsPerRequest(targets, count, times = 5) {
  const trips = new Map(targets.map((t) => [t.name, []]))
  for (let i = 0; i < times; i++) for (const t of targets) trips.get(t.name).push(await count(t))
  return trips
}

/**
 * The result rows of an A/B load comparison (the plugin's route against Medusa's): for each metric, the median over
 * the rounds of both targets, the plugin's row naming Medusa's as its baseline with `target` as the goal ratio; then
 * each target's SQL round trips per request. `results` / `trips`: target name → per-round load results / counts.
 */
function loadComparisonRows({ plugin, medusa, results, trips, metrics, target }) {
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
