// Runs one autocannon load in its own process (so the load generator never shares the event loop of the Medusa
// server it measures) and prints a JSON summary on stdout. Input: one JSON argument (see load.mjs).
// With `p95: true`, every response time is kept and the exact nearest-rank p95 is added (autocannon's summary has
// p90 and p97.5, no p95).
import autocannon from "autocannon"

const opts = JSON.parse(process.argv[2])
const instance = autocannon({
  url: opts.url,
  method: opts.method ?? "GET",
  headers: opts.headers ?? {},
  connections: opts.connections,
  duration: opts.duration_s,
})
/** @type {number[]} */
const times = []
if (opts.p95) instance.on("response", (_client, _status, _bytes, responseTime) => times.push(responseTime))
const result = await instance
const nearestRank = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length))) - 1] : NaN
}
process.stdout.write(
  JSON.stringify({
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    ...(opts.p95 ? { p95_ms: nearestRank(times, 95) } : {}),
    mean_ms: result.latency.average,
    rps: result.requests.average,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    duration_s: result.duration,
  })
)
