// What the numbers were measured on: they mean little without the machine and its load at the time.
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import os from "node:os"
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)

/** @param {string} url @returns {Promise<string>} e.g. "15.20 (Debian 15.20-0+deb12u1)" */
export async function postgresVersion(url) {
  const { Client } = require("pg")
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query("SHOW server_version")).rows[0].server_version
  } finally {
    await client.end()
  }
}

/** The current commit of the worktree, and whether it has uncommitted changes (null outside git). */
export function gitState(cwd) {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8" }).trim()
    const branch = execFileSync("git", ["rev-parse", "--abbrev-ref", "HEAD"], { cwd, encoding: "utf8" }).trim()
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd, encoding: "utf8" }).trim() !== ""
    return { commit, branch, dirty }
  } catch {
    return null
  }
}

/** OS, CPUs, memory, load and runtime versions. */
export function machineInfo() {
  const cpus = os.cpus()
  return {
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu_model: cpus[0]?.model ?? "unknown",
    cpu_count: cpus.length,
    memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
  }
}

/**
 * CPU time (user + system, ms) a process of this machine has used so far, from /proc/<pid>/stat (clock ticks of
 * 10 ms: over a round of many requests that resolution is plenty). NaN where /proc is not there.
 * @param {number} pid @returns {number}
 */
export function processCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // Fields after the command name (which may hold spaces) start at its closing parenthesis: utime and stime are
    // the 14th and 15th fields of the line, the 12th and 13th after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S
  } catch {
    return NaN
  }
}
/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times, is 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_S = 100

/**
 * Waits until this machine's CPUs are idle (at least `idle_share` of every core's time idle over a `window_ms`
 * window, from /proc/stat), `max_ms` at most; returns the ms waited. Before a load round: the work the round before
 * left behind (PostgreSQL's autovacuum, the stores' own event handlers, a garbage collection) would otherwise land
 * on whichever store goes second. Waits nothing where /proc is not there.
 * @param {{ idle_share?: number, window_ms?: number, max_ms?: number }} [opts] @returns {Promise<number>}
 */
export async function waitForIdleCpu({ idle_share = 0.9, window_ms = 500, max_ms = 60_000 } = {}) {
  const t0 = Date.now()
  for (;;) {
    const before = cpuTicks()
    await new Promise((r) => setTimeout(r, window_ms))
    const after = cpuTicks()
    if (!before || !after) return Date.now() - t0
    const total = after.total - before.total
    if (total <= 0 || (after.idle - before.idle) / total >= idle_share || Date.now() - t0 >= max_ms) return Date.now() - t0
  }
}

/**
 * Waits until every process read by `cpuReaders` (each returns its process's CPU ms so far, at once or as a promise)
 * used less than `busy_ms` of CPU over a `window_ms` window, `max_ms` at most: a timed request then starts without
 * the earlier requests' background work (order.placed handlers) running beside it.
 * @param {Array<() => number | Promise<number>>} cpuReaders @param {{ window_ms: number, busy_ms: number, max_ms: number }} opts
 */
export async function waitForIdleProcesses(cpuReaders, { window_ms, busy_ms, max_ms }) {
  const until = Date.now() + max_ms
  for (;;) {
    const before = await Promise.all(cpuReaders.map((read) => read()))
    await new Promise((r) => setTimeout(r, window_ms))
    const after = await Promise.all(cpuReaders.map((read) => read()))
    if (after.every((ms, i) => ms - before[i] < busy_ms) || Date.now() > until) return
  }
}

/** All CPUs' ticks so far, and the idle ones among them (idle + iowait), from /proc/stat's first line; null without /proc. */
function cpuTicks() {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number)
    return { total: fields.reduce((a, b) => a + b, 0), idle: fields[3] + fields[4] }
  } catch {
    return null
  }
}
