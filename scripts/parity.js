#!/usr/bin/env node
// Writes docs/v2-parity.md from tests/fixtures/v2-parity.json, after checking the mapping against the test files.
const fs = require("node:fs")
const { parityProblems, renderParity, DOC } = require("./lib/parity")

const problems = parityProblems()
if (problems.length) {
  console.error(problems.join("\n"))
  process.exit(1)
}
fs.writeFileSync(DOC, renderParity())
console.log(`wrote ${DOC}`)
