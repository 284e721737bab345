/** examples/rulebook-repo: a merchant's rulebook repository whose pull requests are reviewed by `medusa-loyalty review`. */
import fs from "fs"
import path from "path"
import { GoldenTestFile, parseJsonInput, runGoldenTest } from "../../src/domain/reports/simulation"
import { compileOk, REPO } from "./support/rule-files"

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require("js-yaml") as { load(text: string): any }

const EXAMPLE = path.join(REPO, "examples", "rulebook-repo")
const rulesDir = path.join(EXAMPLE, "rules")
const read = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), "utf8") }))

describe("the example rulebook repository", () => {
  it("has rules that compile and golden tests that all pass", async () => {
    const rulebook = compileOk(read(rulesDir))
    const tests = read(path.join(rulesDir, "tests"))
    expect(tests.length).toBeGreaterThan(0)
    for (const t of tests) {
      const parsed = parseJsonInput(GoldenTestFile, t.name, t.text)
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues))
      expect({ test: t.name, diffs: (await runGoldenTest(rulebook, parsed.value)).diffs }).toEqual({ test: t.name, diffs: [] })
    }
  })

  it("reviews every pull request against its base branch with the whole history and posts the markdown as a comment", () => {
    const workflow = yaml.load(fs.readFileSync(path.join(EXAMPLE, ".github", "workflows", "loyalty-review.yml"), "utf8"))
    expect(Object.keys(workflow.on)).toEqual(["pull_request"])
    expect(workflow.permissions).toMatchObject({ "pull-requests": "write" })
    const steps: Array<{ uses?: string; with?: Record<string, unknown>; run?: string; id?: string; if?: string }> = workflow.jobs.review.steps
    expect(steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with).toMatchObject({ "fetch-depth": 0 })
    expect(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with).toMatchObject({ "node-version": 22 })
    const review = steps.find((s) => s.id === "review")!
    expect(review.run).toContain("npx medusa-loyalty review --base origin/${{ github.base_ref }} --candidate rules --format markdown")
    expect(steps.find((s) => s.run?.includes("gh pr comment"))?.run).toContain("--body-file review.md")
    // The job's verdict is the review's exit code, after the comment is posted.
    expect(steps[steps.length - 1]).toMatchObject({ if: "steps.review.outputs.exit_code != '0'", run: "exit ${{ steps.review.outputs.exit_code }}" })
  })

  it("installs the command from the plugin package", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(EXAMPLE, "package.json"), "utf8"))
    const plugin = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"))
    expect(pkg.devDependencies).toHaveProperty(plugin.name)
    expect(plugin.bin).toHaveProperty("medusa-loyalty")
  })
})
