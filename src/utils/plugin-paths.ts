import fs from "fs"
import path from "path"
import { docsIndex } from "../domain/http/reports"

/** The names of this plugin's packages: the Medusa 1 package (the repository root) and the Medusa 2 one (v2/). */
const PACKAGE_NAMES = new Set(["medusa-plugin-loyalty-rules", "medusa-plugin-loyalty-rules-v2"])

/**
 * The root of the package this file runs in: the nearest folder above it whose package.json names one of this
 * plugin's packages. This file runs from the root package's `src/` (ts-jest) or `dist/`, and from the v2 package,
 * which compiles it as `src/core/utils/` (v2/scripts/sync-core.mjs) into `.medusa/server/src/core/utils/`.
 */
function packageRoot(from: string): string {
  for (let dir = from; ; ) {
    try {
      if (PACKAGE_NAMES.has(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name)) return dir
    } catch {
      // no package.json here, or not JSON: keep walking up
    }
    const parent = path.dirname(dir)
    if (parent === dir) return path.resolve(from, "..", "..")
    dir = parent
  }
}

/** The package root (its rules/, README.md and docs/). */
export const PACKAGE_ROOT = packageRoot(__dirname)

/** The default program shipped with the package. */
export const DEFAULT_RULES_DIR = path.join(PACKAGE_ROOT, "rules")

/**
 * The package's documentation by name, as paths relative to the package root (`{ readme: "README.md",
 * "checkout-safety": "docs/checkout-safety.md", … }`, named by the core's docsIndex): README.md, rules/README.md and
 * every file in docs/ that this installation has (the npm package ships README.md, rules/ and docs/).
 */
export function pluginDocs(root: string = PACKAGE_ROOT): Record<string, string> {
  const dir = path.join(root, "docs")
  return docsIndex({
    readme: fs.existsSync(path.join(root, "README.md")),
    rules_readme: fs.existsSync(path.join(root, "rules", "README.md")),
    docs: fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile()).map((f) => f.name) : [],
  })
}
