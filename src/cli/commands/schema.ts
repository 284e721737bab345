import fs from "fs"
import path from "path"
import { Command } from "commander"
import { RULE_FILE_JSON_SCHEMAS } from "../../domain/rules/json-schema"
import { displayPath } from "../rules"

/** The exact text of `<kind>.schema.json` (the committed rules/schema files are this output). */
export function schemaFileText(kind: keyof typeof RULE_FILE_JSON_SCHEMAS): string {
  return `${JSON.stringify(RULE_FILE_JSON_SCHEMAS[kind](), null, 2)}\n`
}

/** `schema [out_dir]`: writes the JSON Schema of every rule file kind, generated from the zod schemas. */
export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("write the JSON Schema of every rule file kind (<kind>.schema.json) for editors; rule files reference them with \"$schema\"")
    .argument("[out_dir]", "output directory", "rules/schema")
    .action((outDir: string) => {
      const dir = path.resolve(outDir)
      fs.mkdirSync(dir, { recursive: true })
      for (const kind of Object.keys(RULE_FILE_JSON_SCHEMAS) as Array<keyof typeof RULE_FILE_JSON_SCHEMAS>) {
        const file = path.join(dir, `${kind}.schema.json`)
        fs.writeFileSync(file, schemaFileText(kind))
        process.stdout.write(`wrote ${displayPath(file)}\n`)
      }
    })
}
