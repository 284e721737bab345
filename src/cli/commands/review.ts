import { execFileSync } from "child_process"
import fs from "fs"
import path from "path"
import { Command, InvalidArgumentError, Option } from "commander"
import { buildReview, compareSamples, DEFAULT_SAMPLE_ORDERS, diffRulebooks, reviewBacktest, SampleOrders, summarizeGolden, type GoldenResult, type ReviewInputs, type SampleOrder } from "../../domain/reports/review"
import { GoldenTestFile, parseJsonInput, runGoldenTest } from "../../domain/reports/simulation"
import { compileRulebook, type Rulebook } from "../../domain/rules/rulebook"
import { ruleFileNames } from "../../domain/rules/rulebook-state"
import { backtestStore } from "../../utils/backtest-source"
import { medusaSchemaOf } from "../../utils/medusa-schema"
import { readRuleFiles } from "../../utils/rulebook-store"
import { displayPath, formatIssueLines, locateIssues, readInputFile } from "../rules"
import { medusaVersionOption, withReadOnly } from "../store"
import { renderReviewMarkdown } from "../review-markdown"

interface ReviewOptions {
  base: string
  candidate: string
  orders?: string
  databaseUrl?: string
  medusaVersion?: string
  maxLiabilityDelta?: number
  format: "markdown" | "json"
}

/**
 * `review --base <dir|git ref> --candidate <dir>`: a rule change reviewed like code, in one report: the candidate's
 * validation and golden tests, what changed rule by rule against the base, sample orders under both, and (with
 * --database-url) the backtest of the candidate on the store's history. Reads only; exit codes for a CI.
 */
export function registerReview(program: Command): void {
  program
    .command("review")
    .description("review a rule change: validation and golden tests of the candidate, the rule-by-rule diff against the base (a directory or a git ref), sample orders under both, the backtest's liability delta (with --database-url); writes nothing")
    .requiredOption("--base <dir|ref>", "the rules as they are: a directory, or a git ref (its rules directory is the candidate's path inside the repository of the working directory; `<ref>:<path>` names another)")
    .option("--candidate <dir>", "directory of the candidate rule files (golden tests in its tests/)", "rules")
    .option("--orders <file>", "sample orders as a JSON array of { name, order?, customer?, member? } (default: the built-in sample set)")
    .option("--database-url <url>", "PostgreSQL URL of the store: adds the backtest of the candidate on its history (read-only)")
    .addOption(medusaVersionOption())
    .option("--max-liability-delta <points>", "exit 3 when the backtest's |liability delta| exceeds this many points (needs --database-url)", parsePoints)
    .addOption(new Option("--format <format>", "output format").choices(["markdown", "json"]).default("markdown"))
    .addHelpText("after", "\nExit codes: 0 ok, 1 the candidate does not compile or a golden test fails, 2 usage error, 3 the liability delta exceeds --max-liability-delta.")
    .action(async (opts: ReviewOptions, cmd: Command) => {
      const usage = (message: string): never => cmd.error(`medusa-loyalty: ${message}`, { exitCode: 2, code: "loyalty.usage" }) as never
      const candidateDir = path.resolve(opts.candidate)
      if (!isDir(candidateDir)) usage(`candidate rules directory not found: ${opts.candidate}`)
      if (opts.maxLiabilityDelta !== undefined && opts.databaseUrl === undefined) usage("--max-liability-delta needs --database-url (the backtest gives the liability delta)")
      const samples = opts.orders === undefined ? [...DEFAULT_SAMPLE_ORDERS] : readSamples(cmd, opts.orders)
      const base = readBase(opts.base, candidateDir, usage)

      const candidateFiles = readRuleFiles(candidateDir)
      const candidate = compileRulebook(candidateFiles)
      const baseCompiled = base.files === null ? null : compileRulebook(base.files)
      const baseRulebook: Rulebook | null = baseCompiled?.ok ? baseCompiled.rulebook : null
      const inputs: ReviewInputs = {
        base: {
          source: base.source,
          version: baseRulebook?.version ?? null,
          status: baseCompiled === null ? "missing" : baseCompiled.ok ? "ok" : "invalid",
          issues: baseCompiled && !baseCompiled.ok ? baseCompiled.issues.map((i) => ({ ...i, file: i.file ? `${base.source}/${i.file}` : base.source })) : [],
        },
        candidate: {
          rules_dir: displayPath(candidateDir),
          files: candidateFiles.length,
          version: candidate.ok ? candidate.rulebook.version : null,
          issues: candidate.ok ? [] : locateIssues(candidateDir, candidate.issues),
        },
        golden: null,
        diff: null,
        samples: null,
        backtest: null,
        max_liability_delta: opts.maxLiabilityDelta ?? null,
      }
      if (candidate.ok) {
        const rulebook = candidate.rulebook
        inputs.golden = summarizeGolden(await goldenTests(candidateDir, rulebook))
        // A base that does not compile has no definitions to compare with: no diff rather than "everything added".
        inputs.diff = base.files === null || baseRulebook ? diffRulebooks(baseRulebook, rulebook) : null
        inputs.samples = await compareSamples(baseRulebook, rulebook, samples)
        if (opts.databaseUrl !== undefined) {
          inputs.backtest = await withReadOnly(opts.databaseUrl, async (query) => {
            const schema = await medusaSchemaOf(query, opts.medusaVersion)
            const { result } = await backtestStore(query, rulebook, {}, new Date(), undefined, schema)
            return reviewBacktest(result)
          })
        }
      }
      const report = buildReview(inputs)
      process.stdout.write(opts.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderReviewMarkdown(report))
      process.exitCode = report.verdict.exit_code
    })
}

function parsePoints(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number of points ≥ 0, got "${value}"`)
  return Number(value)
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory()
  } catch {
    return false
  }
}

/** `--orders <file>`: a JSON array of sample orders; a file that does not parse is a usage error, with its located issues. */
function readSamples(cmd: Command, file: string): SampleOrder[] {
  const parsed = parseJsonInput(SampleOrders, displayPath(path.resolve(file)), readInputFile(cmd, file))
  if (parsed.ok) return parsed.value
  process.stderr.write(`${formatIssueLines(parsed.issues)}\n`)
  return cmd.error(`medusa-loyalty: --orders ${file} is not a list of sample orders`, { exitCode: 2, code: "loyalty.usage" }) as never
}

/** The golden files `<dir>/tests/*.json` run against the candidate, as the `test` command runs them. */
async function goldenTests(dir: string, rulebook: Rulebook): Promise<GoldenResult[]> {
  const testsDir = path.join(dir, "tests")
  const names = isDir(testsDir) ? fs.readdirSync(testsDir).filter((f) => f.endsWith(".json")).sort() : []
  const results: GoldenResult[] = []
  for (const name of names) {
    const file = displayPath(path.join(testsDir, name))
    const parsed = parseJsonInput(GoldenTestFile, file, fs.readFileSync(path.join(testsDir, name), "utf8"))
    if (!parsed.ok) {
      results.push({ file, status: "error", issues: parsed.issues })
      continue
    }
    const outcome = await runGoldenTest(rulebook, parsed.value)
    results.push({ file, description: parsed.value.description, status: outcome.diffs.length ? "fail" : "pass", ...(outcome.diffs.length ? { diffs: outcome.diffs } : {}) })
  }
  return results
}

interface BaseFiles {
  /** The directory as the user reads it, or `<ref>:<path>`. */
  source: string
  /** Its top-level rule files; null when there are none (a new rules directory). */
  files: Array<{ name: string; text: string }> | null
}

/**
 * `--base`: a directory when one exists at that path, else a git ref of the repository of the working directory.
 * The rules directory at the ref is the candidate's path relative to the repository root (`rules` for
 * `--candidate rules` run at the root), or the path after `:` in `<ref>:<path>`. Read with git, the work tree untouched.
 */
function readBase(base: string, candidateDir: string, usage: (message: string) => never): BaseFiles {
  const asDir = path.resolve(base)
  if (isDir(asDir)) {
    const files = readRuleFiles(asDir)
    return { source: displayPath(asDir), files: files.length ? files : null }
  }
  let root: string
  try {
    root = git(["rev-parse", "--show-toplevel"], process.cwd()).trim()
  } catch {
    return usage(`--base ${base} is not a directory, and ${process.cwd()} is not inside a git repository to read it as a ref`)
  }
  const colon = base.indexOf(":")
  const ref = colon >= 0 ? base.slice(0, colon) : base
  let rel = colon >= 0 ? base.slice(colon + 1) : path.relative(root, fs.realpathSync(candidateDir))
  if (colon < 0 && (rel.startsWith("..") || path.isAbsolute(rel))) {
    usage(`the candidate ${displayPath(candidateDir)} is outside the repository ${root}: name the rules directory at the ref with --base ${ref}:<path>`)
  }
  rel = rel.split(path.sep).join("/").replace(/^(\.\/)+|^\.$|\/+$/g, "")
  try {
    git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], root)
  } catch {
    usage(`--base ${base}: neither a directory nor a commit of the repository ${root} (in a CI, fetch the history: actions/checkout with fetch-depth: 0)`)
  }
  const source = `${ref}:${rel}`
  let listing: string
  try {
    listing = git(["ls-tree", "-z", source], root)
  } catch {
    return { source, files: null } // no such directory at the ref: the rules are new
  }
  const blobs = listing.split("\0").filter(Boolean).map((line) => {
    const [meta, name] = line.split("\t")
    const [, type, sha] = meta.split(" ")
    return { name, type, sha }
  })
  const names = ruleFileNames(blobs.map((b) => ({ name: b.name, isFile: () => b.type === "blob" })))
  const files = names.map((name) => ({ name, text: git(["cat-file", "blob", blobs.find((b) => b.name === name)!.sha], root) }))
  return { source, files: files.length ? files : null }
}

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 })
}
