// Build-time copy of the shared core: the repo root's src/domain (→ src/core/domain) and rules/ (→ rules/), the
// root's plain-SQL store readers and rule-file helpers (→ src/core/utils: the ledger verify, the backtest's and the
// stats' reads over a bare query function, no Medusa import), so the v2 module reads a store with the same
// statements as the CLI, and the CLI itself (src/cli → src/core/cli: this package's `medusa-loyalty` bin).
// The targets are gitignored: git holds one copy, at the root. Copies byte for byte and removes files that no longer
// exist at the root, so a stale copy cannot survive a rename. A copied file keeps its relative imports
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

function sync(from, to) {
  if (!fs.existsSync(from)) throw new Error(`sync-core: ${from} is missing (run inside the repository)`)
  fs.rmSync(to, { recursive: true, force: true })
  fs.cpSync(from, to, { recursive: true })
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

for (const [from, to] of pairs) sync(from, to)
const utils = path.join(v2, "src/core/utils")
fs.rmSync(utils, { recursive: true, force: true })
fs.mkdirSync(utils, { recursive: true })
for (const name of SHARED_UTILS) fs.copyFileSync(path.join(root, "src/utils", name), path.join(utils, name))
console.log(`sync-core: copied src/domain, rules/, src/cli and ${SHARED_UTILS.length} src/utils files into ${path.relative(root, v2)}`)
