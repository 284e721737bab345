#!/usr/bin/env node
// Writes the plugin's OpenAPI 3.1 document from the built routes (dist/api): dist/openapi.json, shipped in the
// package, and docs/openapi.json, committed (tests/unit/openapi.test.ts fails when it is stale). Run by
// `npm run build` after tsc, and by `npm run openapi`. Fails (exit 1) when a route handler has no documented
// operation, so a new route cannot ship undocumented.
import fs from "node:fs"
import { createRequire } from "node:module"
import path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const require = createRequire(import.meta.url)
const { generateOpenApi } = require(path.join(root, "dist", "api", "openapi.js"))
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))

let doc
try {
  doc = generateOpenApi(path.join(root, "dist", "api"), pkg)
} catch (e) {
  console.error(`openapi: ${e.message}`)
  process.exit(1)
}
const text = JSON.stringify(doc, null, 2) + "\n"
for (const out of [path.join(root, "dist", "openapi.json"), path.join(root, "docs", "openapi.json")]) {
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, text)
}
const operations = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0)
console.log(`openapi: ${operations} operations on ${Object.keys(doc.paths).length} paths → dist/openapi.json, docs/openapi.json`)
