import path from "path"

/** The package root, whether running from `src/` (ts-jest) or `dist/` (Medusa loads dist). */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..")

/** The default program shipped with the package. */
export const DEFAULT_RULES_DIR = path.join(PACKAGE_ROOT, "rules")
