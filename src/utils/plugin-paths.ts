import fs from "fs"
import path from "path"

/** The package root, whether running from `src/` (ts-jest) or `dist/` (Medusa loads dist). */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..")

/** The default program shipped with the package. */
export const DEFAULT_RULES_DIR = path.join(PACKAGE_ROOT, "rules")

/**
 * The package's documentation by name, as paths relative to the package root (`{ readme: "README.md",
 * "checkout-safety": "docs/checkout-safety.md", … }`): README.md, rules/README.md and every file in docs/ that this
 * installation has (the npm package ships README.md, rules/ and docs/).
 */
export function pluginDocs(root: string = PACKAGE_ROOT): Record<string, string> {
  const docs: Record<string, string> = {}
  if (fs.existsSync(path.join(root, "README.md"))) docs.readme = "README.md"
  // Not "rules": docs/rules.md takes that name; rules/README.md is the field-by-field reference of the rule files.
  if (fs.existsSync(path.join(root, "rules", "README.md"))) docs["rule-files-reference"] = "rules/README.md"
  const dir = path.join(root, "docs")
  const files = fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile()).map((f) => f.name).sort() : []
  for (const name of files) docs[name.replace(/\.[^.]+$/, "")] = `docs/${name}`
  return docs
}
