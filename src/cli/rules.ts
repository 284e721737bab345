import fs from "fs"
import path from "path"
import { Command, Option } from "commander"
import type { RuleFileIssue } from "../domain/rules/rule-issues"
import { compileRulebook, type CompileResult } from "../domain/rules/rulebook"
import { readRuleFiles } from "../utils/rulebook-store"
import { DEFAULT_RULES_DIR } from "../utils/plugin-paths"

/** Shared by the offline rule commands (validate, test, simulate, schema): no store, no database. */

export type Format = "text" | "json"

export const formatOption = (): Option =>
  new Option("--format <format>", "output format").choices(["text", "json"]).default("text")

/** `[rules_dir]`: the given directory, else ./rules when it exists, else the package's default program. */
export function resolveRulesDir(cmd: Command, given: string | undefined): string {
  if (given === undefined) {
    const local = path.resolve("rules")
    return isDir(local) ? local : DEFAULT_RULES_DIR
  }
  const dir = path.resolve(given)
  if (!isDir(dir)) cmd.error(`medusa-loyalty: rules directory not found: ${given}`, { exitCode: 2, code: "loyalty.usage" })
  return dir
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory()
  } catch {
    return false
  }
}

/** A path as the user reads it: relative to the working directory when inside it. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p)
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : p
}

export function compileDir(dir: string): { result: CompileResult; files: number } {
  const files = readRuleFiles(dir)
  return { result: compileRulebook(files), files: files.length }
}

/** Issues with file paths resolved against `dir` (an issue without a file names the directory). */
export function locateIssues(dir: string, issues: readonly RuleFileIssue[]): RuleFileIssue[] {
  return issues.map((i) => ({ ...i, file: displayPath(i.file ? path.join(dir, i.file) : dir) }))
}

/** `file:line:column  /pointer  message`, then `  hint: …` on its own line when there is one. */
export function formatIssueLines(issues: readonly RuleFileIssue[]): string {
  return issues
    .map((i) => {
      const where = i.line !== undefined ? `${i.file}:${i.line}:${i.column ?? 1}` : i.file
      return `${where}  ${i.pointer || "/"}  ${i.message}${i.hint ? `\n  hint: ${i.hint}` : ""}`
    })
    .join("\n")
}

/** A JSON file given on the command line; a missing or unreadable file is a usage error. */
export function readInputFile(cmd: Command, file: string): string {
  try {
    return fs.readFileSync(path.resolve(file), "utf8")
  } catch (e) {
    cmd.error(`medusa-loyalty: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { exitCode: 2, code: "loyalty.usage" })
  }
}

