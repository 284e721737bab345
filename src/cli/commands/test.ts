import fs from "fs"
import path from "path"
import { Command } from "commander"
import { GoldenTestFile, parseJsonInput, runGoldenTest, type FieldDiff } from "../../domain/reports/simulation"
import { compileDir, displayPath, formatIssueLines, formatOption, locateIssues, resolveRulesDir, type Format } from "../rules"

interface TestReport {
  file: string
  description?: string
  status: "pass" | "fail" | "error"
  diffs?: FieldDiff[]
  actual?: Record<string, unknown>
  issues?: unknown[]
}

/** `test [rules_dir]`: runs the golden files `<rules_dir>/tests/*.json` against the rulebook. Exit 1 on any failure. */
export function registerTest(program: Command): void {
  program
    .command("test")
    .description("run golden tests <rules_dir>/tests/*.json: facts in, expected points, rule_names, tier, promotions out (offline)")
    .argument("[rules_dir]", "directory of rule files (default: ./rules, else the package's default program)")
    .addOption(formatOption())
    .action(async (rulesDir: string | undefined, opts: { format: Format }, cmd: Command) => {
      const dir = resolveRulesDir(cmd, rulesDir)
      const out = (s: string) => opts.format === "text" && process.stdout.write(`${s}\n`)
      const { result } = compileDir(dir)
      if (!result.ok) {
        const issues = locateIssues(dir, result.issues)
        if (opts.format === "json") process.stdout.write(`${JSON.stringify({ ok: false, rules_dir: displayPath(dir), issues, tests: [] }, null, 2)}\n`)
        else out(`${formatIssueLines(issues)}\nthe rulebook does not compile: run medusa-loyalty validate`)
        process.exitCode = 1
        return
      }
      const testsDir = path.join(dir, "tests")
      const names = fs.existsSync(testsDir) ? fs.readdirSync(testsDir).filter((f) => f.endsWith(".json")).sort() : []
      const reports: TestReport[] = []
      for (const name of names) {
        const file = displayPath(path.join(testsDir, name))
        const parsed = parseJsonInput(GoldenTestFile, file, fs.readFileSync(path.join(testsDir, name), "utf8"))
        if (!parsed.ok) {
          reports.push({ file, status: "error", issues: parsed.issues })
          out(`ERROR ${file}\n${indent(formatIssueLines(parsed.issues))}`)
          continue
        }
        const outcome = await runGoldenTest(result.rulebook, parsed.value)
        const status = outcome.diffs.length ? "fail" : "pass"
        reports.push({ file, description: parsed.value.description, status, diffs: outcome.diffs, actual: outcome.actual })
        const title = `${file}${parsed.value.description ? ` — ${parsed.value.description}` : ""}`
        if (status === "pass") out(`PASS ${title}`)
        else out(`FAIL ${title}\n${indent(formatDiffs(outcome.diffs))}`)
      }
      const failed = reports.filter((r) => r.status !== "pass").length
      const ok = failed === 0 && names.length > 0
      if (opts.format === "json") {
        process.stdout.write(`${JSON.stringify({ ok, rules_dir: displayPath(dir), version: result.rulebook.version, passed: reports.length - failed, failed, tests: reports }, null, 2)}\n`)
      } else if (names.length === 0) {
        out(`no golden tests: add ${displayPath(testsDir)}/*.json`)
      } else {
        out(`${reports.length - failed} passed, ${failed} failed (rulebook version ${result.rulebook.version.slice(0, 12)})`)
      }
      process.exitCode = ok ? 0 : 1
    })
}

function indent(text: string): string {
  return text.split("\n").map((l) => `    ${l}`).join("\n")
}

/** One line per differing field: `/rule_names/1  expected "x"  actual "y"`. */
export function formatDiffs(diffs: readonly FieldDiff[]): string {
  const show = (v: unknown) => (v === undefined ? "(nothing)" : JSON.stringify(v))
  return diffs.map((d) => `expect${d.pointer}: expected ${show(d.expected)}, actual ${show(d.actual)}`).join("\n")
}
