// Build-time copy of the shared core: the repo root's src/domain (→ src/core/domain) and rules/ (→ rules/), the
// root's plain-SQL store readers and rule-file helpers (→ src/core/utils: the ledger verify, the backtest's and the
// stats' reads over a bare query function, no Medusa import), so the v2 module reads a store with the same
// statements as the CLI, the CLI itself (src/cli → src/core/cli: this package's `medusa-loyalty` bin), and the admin
// components both dashboards render (src/admin/components → src/core/admin/components).
// The targets are gitignored: git holds one copy, at the root. Copies byte for byte (only what changed) and removes
// files that no longer exist at the root, so a stale copy cannot survive a rename. A copied file keeps its relative imports
// (../domain/… resolves to src/core/domain), so a shared reader may import only the core and the other shared readers.
import fs from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const v2 = path.resolve(here, "..")
const root = path.resolve(v2, "..")
const pairs = [
  [path.join(root, "src/domain"), path.join(v2, "src/core/domain")],
  [path.join(root, "rules"), path.join(v2, "rules")],
  [path.join(root, "src/cli"), path.join(v2, "src/core/cli")],
]

/** Every file under `dir`, relative, sorted (an absent dir has none). */
function filesUnder(dir, prefix = "") {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name), path.join(prefix, e.name)) : [path.join(prefix, e.name)]
  ).sort()
}

/**
 * Makes `to` hold exactly `names` (relative paths under `from`, default all of `from`'s files), byte for byte: writes
 * only a file whose content differs and removes only what is no longer at the root. A sync with nothing changed
 * touches no file, so a test or a server already running on the copy (the suites run side by side) never sees a
 * file missing or half written.
 */
function sync(from, to, names = filesUnder(from)) {
  if (!fs.existsSync(from)) throw new Error(`sync-core: ${from} is missing (run inside the repository)`)
  const wanted = new Set(names)
  for (const name of names) {
    const source = fs.readFileSync(path.join(from, name))
    const target = path.join(to, name)
    if (fs.existsSync(target) && fs.readFileSync(target).equals(source)) continue
    fs.mkdirSync(path.dirname(target), { recursive: true })
    // Written beside and renamed over: a reader sees the old file or the new one, never a part.
    fs.writeFileSync(`${target}.sync-tmp`, source)
    fs.renameSync(`${target}.sync-tmp`, target)
  }
  for (const name of filesUnder(to)) if (!wanted.has(name)) fs.rmSync(path.join(to, name))
}

/**
 * The root's src/utils files the v2 package compiles: plain SQL over a query function, and the CLI's rule-file and
 * package-path helpers (the v2 typecheck fails if one of them, or the CLI, imports a file not copied here).
 */
const SHARED_UTILS = [
  "backtest-source.ts",
  "ledger-verify.ts",
  "medusa-schema.ts",
  "member-facts-sql.ts",
  "stats-sql.ts",
  "rulebook-store.ts",
  "plugin-paths.ts",
  "rules-watcher.ts",
]

/**
 * The root admin's components that v2's admin renders unchanged (→ src/core/admin/components, kept at the same
 * depth so their `../../domain/…` imports reach the copied core): each may import React, @medusajs/ui and the core only.
 */
const SHARED_ADMIN = ["charts.tsx"]

for (const [from, to] of pairs) sync(from, to)
sync(path.join(root, "src/utils"), path.join(v2, "src/core/utils"), SHARED_UTILS)
sync(path.join(root, "src/admin/components"), path.join(v2, "src/core/admin/components"), SHARED_ADMIN)
console.log(`sync-core: copied src/domain, rules/, src/cli, ${SHARED_UTILS.length} src/utils files and ${SHARED_ADMIN.length} admin components into ${path.relative(root, v2)}`)
