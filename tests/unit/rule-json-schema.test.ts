import fs from "fs"
import path from "path"
import { RULE_FILE_JSON_SCHEMAS } from "../../src/domain/rules/json-schema"
import { RULE_FILE_KINDS } from "../../src/domain/rules/rule-schema"
import { REPO, readRepoFile } from "./support/rule-files"

describe("every rule file kind has a JSON Schema generator", () => {
  it("covers exactly RULE_FILE_KINDS", () => {
    expect(Object.keys(RULE_FILE_JSON_SCHEMAS).sort()).toEqual([...RULE_FILE_KINDS].sort())
  })
})

/** The file that shows each kind: the default program's, or an example program's for kinds it does not use. */
const EXAMPLES: Partial<Record<(typeof RULE_FILE_KINDS)[number], { file: string; schema: string }>> = {
  actions: { file: "examples/rulebooks/campaigns/actions.json", schema: "../../../rules/schema/actions.schema.json" },
}

describe.each(RULE_FILE_KINDS.map((kind) => [kind, RULE_FILE_JSON_SCHEMAS[kind], EXAMPLES[kind]?.file ?? `rules/${kind}.json`] as const))(
  "the committed JSON Schema of %s files",
  (kind, generate, example) => {
    const committed = `rules/schema/${kind}.schema.json`

    it(`matches the zod schemas (regenerate with UPDATE_RULE_SCHEMA=1 npx jest tests/unit/rule-json-schema.test.ts)`, () => {
      const generated = `${JSON.stringify(generate(), null, 2)}\n`
      if (process.env.UPDATE_RULE_SCHEMA === "1") fs.writeFileSync(path.join(REPO, committed), generated)
      expect(readRepoFile(committed)).toBe(generated)
    })

    it(`is referenced by ${example}`, () => {
      expect(JSON.parse(readRepoFile(example)).$schema).toBe(EXAMPLES[kind]?.schema ?? `./schema/${kind}.schema.json`)
    })
  },
)
