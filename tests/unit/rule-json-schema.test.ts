import fs from "fs"
import path from "path"
import { accrualFileJsonSchema, programFileJsonSchema } from "../../src/domain/json-schema"
import { REPO, readRepoFile } from "./support/rule-files"

describe.each([
  ["accrual", accrualFileJsonSchema, "rules/accrual.json"],
  ["program", programFileJsonSchema, "rules/program.json"],
])("the committed JSON Schema of %s files", (kind, generate, example) => {
  const committed = `rules/schema/${kind}.schema.json`

  it(`matches the zod schemas (regenerate with UPDATE_RULE_SCHEMA=1 npx jest tests/unit/rule-json-schema.test.ts)`, () => {
    const generated = `${JSON.stringify(generate(), null, 2)}\n`
    if (process.env.UPDATE_RULE_SCHEMA === "1") fs.writeFileSync(path.join(REPO, committed), generated)
    expect(readRepoFile(committed)).toBe(generated)
  })

  it(`is referenced by ${example}`, () => {
    expect(JSON.parse(readRepoFile(example)).$schema).toBe(`./schema/${kind}.schema.json`)
  })
})
