// Runs one autocannon load in its own process (so the load generator never shares the event loop of the Medusa
// server it measures) and prints a JSON summary on stdout. Input: one JSON argument (see load.mjs).
import autocannon from "autocannon"

const opts = JSON.parse(process.argv[2])
const result = await autocannon({
  url: opts.url,
  method: opts.method ?? "GET",
  headers: opts.headers ?? {},
  connections: opts.connections,
  duration: opts.duration_s,
})
process.stdout.write(
  JSON.stringify({
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    mean_ms: result.latency.average,
    rps: result.requests.average,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    duration_s: result.duration,
  })
)
