import fs from "fs"
import path from "path"
import { docsIndex } from "../domain/http/reports"

/** The package root, whether running from `src/` (ts-jest) or `dist/` (Medusa loads dist). */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..")

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
