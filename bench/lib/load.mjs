// HTTP load with autocannon, run in a child process (see load-child.mjs). Refuses results with errors or non-2xx
// answers: a 401 answered fast would otherwise pass for a fast endpoint.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

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
