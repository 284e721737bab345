// Build-time copy of the shared core: the repo root's src/domain (→ src/core/domain) and rules/ (→ rules/).
// Both targets are gitignored: git holds one copy of the core, at the root. Copies byte for byte and removes files
// that no longer exist at the root, so a stale copy cannot survive a rename.
import fs from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const v2 = path.resolve(here, "..")
const root = path.resolve(v2, "..")
const pairs = [
  [path.join(root, "src/domain"), path.join(v2, "src/core/domain")],
  [path.join(root, "rules"), path.join(v2, "rules")],
]

function sync(from, to) {
  if (!fs.existsSync(from)) throw new Error(`sync-core: ${from} is missing (run inside the repository)`)
  fs.rmSync(to, { recursive: true, force: true })
  fs.cpSync(from, to, { recursive: true })
}

for (const [from, to] of pairs) sync(from, to)
console.log(`sync-core: copied ${path.relative(root, pairs[0][0])} and rules/ into ${path.relative(root, v2)}`)
