import fs from "fs"
import path from "path"
import { accrualFileJsonSchema } from "../../src/domain/json-schema"
import { REPO, readRepoFile } from "./support/rule-files"

const COMMITTED = "rules/schema/accrual.schema.json"

describe("the committed JSON Schema of accrual files", () => {
  it(`matches the zod schemas (regenerate with UPDATE_RULE_SCHEMA=1 npx jest tests/unit/rule-json-schema.test.ts)`, () => {
    const generated = `${JSON.stringify(accrualFileJsonSchema(), null, 2)}\n`
    if (process.env.UPDATE_RULE_SCHEMA === "1") fs.writeFileSync(path.join(REPO, COMMITTED), generated)
    expect(readRepoFile(COMMITTED)).toBe(generated)
  })

  it.each(["rules/accrual.json"])("is referenced by %s", (file) => {
    expect(JSON.parse(readRepoFile(file)).$schema).toBe("./schema/accrual.schema.json")
  })
})
