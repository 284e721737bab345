import { createRequire } from "node:module"
// Small statistics and timing helpers shared by the bench sections. Medians, not means: the bench machine is
// shared and noisy, and a median over repeated trials shrugs off the odd stalled trial.

/** @param {number[]} xs @returns {number} the median (mean of the two middle values for an even count) */
export function median(xs) {
  if (!xs.length) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/**
 * @param {number[]} xs @returns {number} the mean: for quantities measured in coarse steps (CPU time in 10 ms clock
 * ticks), whose median would be one of the steps
 */
export function mean(xs) {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN
}

/**
 * Nearest-rank percentile (p in 0–100): the smallest value with at least p% of the values at or below it.
 * @param {number[]} xs @param {number} p
 */
export function percentile(xs, p) {
  if (!xs.length) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * s.length))
  return s[Math.min(rank, s.length) - 1]
}

/** Milliseconds since an origin, with sub-millisecond resolution. */
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6
}

/**
 * Runs `fn` and returns how long it took in ms, plus its value.
 * @template T @param {() => Promise<T>} fn @returns {Promise<{ ms: number, value: T }>}
 */
export async function timed(fn) {
  const t0 = nowMs()
  const value = await fn()
  return { ms: nowMs() - t0, value }
}

/** Units where more is better (throughputs): their cost ratio is baseline ÷ measured. */
export function higherIsBetter(unit) {
  return /\/s$/.test(unit)
}

/**
 * How many times costlier `value` is than `baseline` (> 1: slower than the baseline), whatever the unit:
 * measured ÷ baseline for times, baseline ÷ measured for throughputs.
 * @param {number} value @param {number} baseline @param {string} unit
 */
export function costRatio(value, baseline, unit) {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || value <= 0 || baseline <= 0) return NaN
  return higherIsBetter(unit) ? baseline / value : value / baseline
}

/**
 * The cost ratio of two throughputs measured in paired rounds (`plugin[i]` and `baseline[i]` ran back to back, in
 * alternating order): the median over the rounds of each round's baseline ÷ plugin. On a shared machine whose load
 * drifts over minutes, a pair sees the same load and the drift cancels in its ratio; the ratio of the two medians
 * would compare rounds that ran at different times.
 * @param {number[]} plugin @param {number[]} baseline @returns {number}
 */
export function pairedThroughputCost(plugin, baseline) {
  if (plugin.length !== baseline.length) throw new Error(`paired rounds differ in number: ${plugin.length} vs ${baseline.length}`)
  return median(plugin.map((rps, i) => costRatio(rps, baseline[i], "orders/s")))
}

/** "ok" when the ratio is within the target (a maximum), "over" otherwise; undefined without a target. */
export function verdictOf(ratio, target) {
  if (target === undefined || target === null) return undefined
  if (!Number.isFinite(ratio)) return "n/a"
  return ratio <= target ? "ok" : "over"
}

/** The tests' seeded PRNG (mulberry32, tests/support/random-rules.ts, compiled by `npm run bench` into dist-bench/):
 * one implementation for tests and bench. */
export const { prng } = createRequire(import.meta.url)("../../dist-bench/tests/support/random-rules.js")

/**
 * The order of `variants` for round `r`: rotated each round, so no variant always runs first (or right after a
 * particular other one) while the machine's background load drifts.
 * @template T @param {T[]} variants @param {number} r @returns {T[]}
 */
export function rotation(variants, r) {
  const k = r % variants.length
  return [...variants.slice(k), ...variants.slice(0, k)]
}
