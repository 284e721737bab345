#!/usr/bin/env node
// Writes the v2 plugin's OpenAPI 3.1 document, docs/openapi.json (committed and shipped in the package; the unit test
// src/lib/__tests__/openapi.unit.spec.ts fails when it is stale), from the built routes (.medusa/server/src/api):
// run by `npm run build` after `medusa plugin:build`. `--src` reads the sources instead (under ts-node: `npm run
// openapi`, no build needed). Fails (exit 1) naming each route file whose handlers have no documented operation, so
// a new route cannot ship undocumented.
import fs from "node:fs"
import { createRequire } from "node:module"
import path from "node:path"
import { fileURLToPath } from "node:url"

const v2 = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const built = process.argv.includes("--src") ? path.join(v2, "src") : path.join(v2, ".medusa", "server", "src")
const require = createRequire(import.meta.url)
const { generateOpenApi } = require(path.join(built, "lib", "openapi"))
const pkg = JSON.parse(fs.readFileSync(path.join(v2, "package.json"), "utf8"))

let doc
try {
  doc = generateOpenApi(path.join(built, "api"), pkg)
} catch (e) {
  console.error(`openapi: ${e.message}`)
  process.exit(1)
}
const out = path.join(v2, "docs", "openapi.json")
fs.mkdirSync(path.dirname(out), { recursive: true })
fs.writeFileSync(out, JSON.stringify(doc, null, 2) + "\n")
const operations = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0)
console.log(`openapi: ${operations} operations on ${Object.keys(doc.paths).length} paths → docs/openapi.json`)
