import { Command } from "commander"
import { compileDir, displayPath, formatIssueLines, formatOption, locateIssues, resolveRulesDir, type Format } from "../rules"

/** `validate [rules_dir]`: compiles the rule files like the store does and lists every problem. Exit 1 on any. */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check rule files: every problem as file:line:column  /json/pointer  message (offline, writes nothing)")
    .argument("[rules_dir]", "directory of rule files (default: ./rules, else the package's default program)")
    .addOption(formatOption())
    .action((rulesDir: string | undefined, opts: { format: Format }, cmd: Command) => {
      const dir = resolveRulesDir(cmd, rulesDir)
      const { result, files } = compileDir(dir)
      const report = result.ok
        ? { ok: true, rules_dir: displayPath(dir), files, version: result.rulebook.version, issues: [] }
        : { ok: false, rules_dir: displayPath(dir), files, version: null, issues: locateIssues(dir, result.issues) }
      if (opts.format === "json") process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      else if (result.ok) process.stdout.write(`OK ${files} files, version ${result.rulebook.version.slice(0, 12)}\n`)
      else process.stdout.write(`${formatIssueLines(report.issues)}\n${report.issues.length} problem(s) in ${report.rules_dir}\n`)
      process.exitCode = result.ok ? 0 : 1
    })
}
