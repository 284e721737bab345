import fs from "fs"
import path from "path"
import { REPO } from "./support/rule-files"

const DOMAIN = path.join(REPO, "src/domain")
const ALLOWED_MODULES = new Set(["zod", "json-rules-engine", "crypto", "node:crypto"])
/** Every core file, as a path relative to src/domain (its subsystem folder included). */
const files = (fs.readdirSync(DOMAIN, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).sort()
const source = (file: string) => fs.readFileSync(path.join(DOMAIN, file), "utf8")
/** The core file a relative import of `file` names, relative to src/domain; null when it leaves src/domain. */
const coreFileOf = (file: string, spec: string): string | null => {
  const target = path.relative(DOMAIN, path.resolve(DOMAIN, path.dirname(file), spec))
  return target.startsWith("..") ? null : `${target}.ts`
}

describe("src/domain is pure: only zod, json-rules-engine and crypto; no clock, environment or file system", () => {
  it.each(files)("%s imports only allowed modules or other core files", (file) => {
    // Import/export-from lines and require()/import() calls; comment lines are skipped (prose says "from" too).
    const pattern = /^(?!\s*(?:\*|\/\/|\/\*))[^\n]*?(?:\bfrom\s+|^\s*import\s+|\brequire\(\s*|\bimport\(\s*)["']([^"']+)["']/gm
    const imports = [...source(file).matchAll(pattern)].map((m) => m[1])
    const outside = imports.filter((m) => !(m.startsWith(".") && coreFileOf(file, m) !== null) && !ALLOWED_MODULES.has(m))
    expect(outside).toEqual([])
  })

  it.each(files)("%s reads neither the clock nor the environment", (file) => {
    const text = source(file)
    expect(text.match(/Date\.now\(|new Date\(\s*\)|process\.env|performance\.now\(|Math\.random\(/g)).toBeNull()
  })
})

describe("src/domain has no import cycles (type-only imports included)", () => {
  const siblingImports = (file: string) =>
    [...source(file).matchAll(/from\s+"(\.\.?\/[^"]+)"/g)].map((m) => coreFileOf(file, m[1])).filter((f): f is string => f !== null)
  const graph = new Map(files.map((f) => [f, siblingImports(f)]))

  /** The first cycle reachable from `start` (depth first), as file names, or null. */
  function cycleFrom(start: string): string[] | null {
    const done = new Set<string>()
    const walk = (file: string, stack: string[]): string[] | null => {
      if (stack.includes(file)) return [...stack.slice(stack.indexOf(file)), file]
      if (done.has(file)) return null
      for (const next of graph.get(file) ?? []) {
        const found = walk(next, [...stack, file])
        if (found) return found
      }
      done.add(file)
      return null
    }
    return walk(start, [])
  }

  it.each(files)("%s is not on an import cycle", (file) => {
    expect(cycleFrom(file)).toBeNull()
  })
})
