// The results table printed on stdout: one line per row, medians with their p99 and n, ratios against the
// baseline measured in the same run.

/** @param {number | undefined} v @param {string} [unit] */
export function fmt(v, unit = "") {
  if (v === undefined || v === null) return ""
  if (!Number.isFinite(v)) return "n/a"
  if (unit === "x" || unit === "ratio") return v.toFixed(2)
  const a = Math.abs(v)
  if (a >= 1000) return Math.round(v).toLocaleString("en-US")
  if (a >= 100) return v.toFixed(0)
  if (a >= 10) return v.toFixed(1)
  return v.toFixed(2)
}

/**
 * Renders rows as an aligned text table.
 * @param {Array<Record<string, any>>} rows
 * @returns {string}
 */
export function renderTable(rows) {
  const cols = [
    ["section", "section", "l"],
    ["name", "measurement", "l"],
    ["median", "median", "r"],
    ["p99", "p99", "r"],
    ["unit", "unit", "l"],
    ["n", "n", "r"],
    ["ratio", "ratio", "r"],
    ["baseline_name", "vs baseline", "l"],
    ["target", "target", "r"],
    ["verdict", "verdict", "l"],
  ]
  const cells = rows.map((r) => ({
    section: r.section,
    name: r.name,
    median: fmt(r.median, r.unit),
    p99: fmt(r.p99, r.unit),
    unit: r.unit ?? "",
    n: r.n === undefined ? "" : String(r.n),
    ratio: r.ratio === undefined ? "" : `${fmt(r.ratio, "x")}x`,
    baseline_name: r.baseline_name ?? "",
    target: r.target !== undefined ? `<= ${r.target}x` : r.max !== undefined ? `<= ${r.max}` : "",
    verdict: r.verdict ?? "",
  }))
  const width = cols.map(([k, h]) => Math.max(h.length, ...cells.map((c) => c[k].length)))
  const line = (get) =>
    cols.map(([k, , align], i) => (align === "r" ? get(k).padStart(width[i]) : get(k).padEnd(width[i]))).join("  ").trimEnd()
  const out = [line((k) => cols.find((c) => c[0] === k)[1]), width.map((w) => "-".repeat(w)).join("  ")]
  let last
  for (const c of cells) {
    if (last !== undefined && c.section !== last) out.push("")
    last = c.section
    out.push(line((k) => c[k]))
  }
  return out.join("\n")
}

/**
 * The goals of the run in one table: every row with a target (a ratio to its baseline) or a max (a bound on the
 * figure itself), its figure, ratio and verdict.
 * @param {Array<Record<string, any>>} rows
 * @returns {string}
 */
export function renderGoals(rows) {
  const goals = rows.filter((r) => r.target !== undefined || r.max !== undefined)
  return renderTable(
    goals.map((r) => ({
      section: r.section, name: r.name, median: r.median, unit: r.unit, n: r.n, ratio: r.ratio, baseline_name: r.baseline_name,
      target: r.target, max: r.max, verdict: r.verdict,
    }))
  )
}
