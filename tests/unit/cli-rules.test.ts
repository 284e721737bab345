/**
 * The offline rule commands of the built CLI (`npm test` builds first; for a unit-only run, `npm run build` once):
 * validate, test, simulate and schema, run as a marketer runs them, against dist/.
 */
import { execFileSync } from "child_process"
import fs from "fs"
import os from "os"
import path from "path"
import { RULE_FILE_KINDS } from "../../src/domain/rules/rule-schema"
import { REPO, readRepoFile } from "./support/rule-files"

const CLI = path.join(REPO, "dist", "cli", "index.js")

function run(args: string[], cwd = REPO): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 })
    return { code: 0, stdout, stderr: "" }
  } catch (e) {
    const err = e as { status: number | null; stdout: string; stderr: string }
    return { code: err.status ?? -1, stdout: err.stdout, stderr: err.stderr }
  }
}

/** A scratch copy of the default program (rule files and golden tests). */
function copyOfRules(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-cli-"))
  fs.cpSync(path.join(REPO, "rules"), dir, { recursive: true })
  return dir
}

const scratch: string[] = []
const tmp = (): string => {
  const dir = copyOfRules()
  scratch.push(dir)
  return dir
}
afterAll(() => scratch.forEach((d) => fs.rmSync(d, { recursive: true, force: true })))

describe("medusa-loyalty validate", () => {
  it("says OK with the file count and the version of the shipped rules, exit 0", () => {
    const r = run(["validate", "rules"])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^OK 4 files, version [0-9a-f]{12}\n$/)
  })

  it("defaults to ./rules", () => {
    expect(run(["validate"]).stdout).toBe(run(["validate", "rules"]).stdout)
  })

  it("lists every problem as file:line:column  /pointer  message with hints, exit 1", () => {
    const dir = tmp()
    const accrual = path.join(dir, "accrual.json")
    fs.writeFileSync(accrual, readRepoFile("rules/accrual.json").replace('"operator": "equal", "value": 2', '"operator": "greaterThen", "value": 2'))
    fs.writeFileSync(path.join(dir, "program.json"), readRepoFile("rules/program.json").replace('"negative_balance": "allow",', '"negative_balance": "allow",,'))
    const r = run(["validate", dir])
    expect(r.code).toBe(1)
    const lines = r.stdout.split("\n")
    // The scratch directory is outside the working directory: paths are absolute.
    expect(lines).toContain(`${accrual}:11:61  /rules/0/conditions/all/0/operator  unknown operator 'greaterThen', did you mean 'greaterThan'?`)
    expect(lines).toContain("  hint: operators: equal, notEqual, lessThan, lessThanInclusive, greaterThan, greaterThanInclusive, in, notIn, contains, doesNotContain")
    expect(lines).toContain(`${path.join(dir, "program.json")}:5:31  /  invalid JSON: expected a "quoted" key but found ','`)
    expect(lines).toContain(`2 problem(s) in ${dir}`)
  })

  it("--format json gives the issues with file, pointer, line and column", () => {
    const dir = tmp()
    fs.writeFileSync(path.join(dir, "tiers.json"), readRepoFile("rules/tiers.json").replace('"rank": 3,', '"rnak": 3,'))
    const r = run(["validate", dir, "--format", "json"])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout)
    expect(report.ok).toBe(false)
    expect(report.issues).toEqual(expect.arrayContaining([
      expect.objectContaining({ pointer: "/tiers/3/rnak", message: 'unknown key "rnak" in tiers[3]', hint: 'did you mean "rank"?', line: expect.any(Number), column: expect.any(Number) }),
    ]))
  })

  it("a missing directory or an unknown format is a usage error, exit 2", () => {
    const missing = run(["validate", "no/such/dir"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("rules directory not found: no/such/dir")
    expect(run(["validate", "--format", "xml"]).code).toBe(2)
  })
})

describe("medusa-loyalty test", () => {
  it("passes the shipped golden tests of the default program and of seed-003, exit 0", () => {
    const rules = run(["test", "rules"])
    expect(rules.code).toBe(0)
    expect(rules.stdout).toContain("PASS rules/tests/first-order.json")
    expect(rules.stdout).toMatch(/\n\d+ passed, 0 failed/)
    const seed = run(["test", "examples/rulebooks/seed-003"])
    expect(seed.code).toBe(0)
    expect(seed.stdout).toContain("PASS examples/rulebooks/seed-003/tests/total-1999.json")
  })

  it("passes the golden tests of the campaigns example: windows, New York time across DST changes, each action type and the monthly review limit", () => {
    const r = run(["test", "examples/rulebooks/campaigns"])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("PASS examples/rulebooks/campaigns/tests/black-friday-one-ms-before.json")
    expect(r.stdout).toContain("PASS examples/rulebooks/campaigns/tests/sunday-dst-fall-back.json")
    expect(r.stdout).toContain("PASS examples/rulebooks/campaigns/tests/review-sixth-in-a-month.json")
    expect(r.stdout).toMatch(/\n13 passed, 0 failed/)
  })

  it("an action golden test whose expectation is wrong fails with the refused rule in the diff, exit 1", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-cli-campaigns-"))
    scratch.push(dir)
    fs.cpSync(path.join(REPO, "examples", "rulebooks", "campaigns"), dir, { recursive: true })
    const golden = JSON.parse(fs.readFileSync(path.join(dir, "tests", "review-sixth-in-a-month.json"), "utf8"))
    fs.writeFileSync(path.join(dir, "tests", "review-sixth-in-a-month.json"), JSON.stringify({ ...golden, expect: { points: 50, refused: [] } }))
    const r = run(["test", dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain("FAIL ")
    expect(r.stdout).toMatch(/review-50/)
  })

  it("shows FAIL with a diff of expected vs actual, exit 1", () => {
    const dir = tmp()
    const golden = { description: "wrong on purpose", order: { subtotal: 12345 }, expect: { points: 999, rule_names: ["base-earn"], tier: "bronze" } }
    fs.writeFileSync(path.join(dir, "tests", "wrong.json"), JSON.stringify(golden))
    const r = run(["test", dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain("FAIL ")
    expect(r.stdout).toContain("wrong.json — wrong on purpose")
    expect(r.stdout).toContain("    expect/points: expected 999, actual 223")
    expect(r.stdout).toContain('    expect/rule_names/1: expected (nothing), actual "first-order-bonus"')
    expect(r.stdout).not.toContain("expect/tier")
    expect(r.stdout).toMatch(/\d+ passed, 1 failed/)
  })

  it("reports a malformed golden file with its pointer, exit 1", () => {
    const dir = tmp()
    fs.writeFileSync(path.join(dir, "tests", "typo.json"), JSON.stringify({ order: { subtotl: 100 }, expect: { points: 1 } }, null, 2))
    const r = run(["test", dir, "--format", "json"])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout)
    const typo = report.tests.find((t: { file: string }) => t.file.endsWith("typo.json"))
    expect(typo.status).toBe("error")
    expect(typo.issues[0]).toMatchObject({ pointer: "/order/subtotl", hint: 'did you mean "subtotal"?' })
  })
})

describe("medusa-loyalty simulate", () => {
  it("explains points per rule, the tier and the promotions as JSON", () => {
    const dir = tmp()
    fs.writeFileSync(path.join(dir, "order.json"), JSON.stringify({ subtotal: 8997 }))
    fs.writeFileSync(path.join(dir, "customer.json"), JSON.stringify({ orders_count: 5, tier: "gold", points_lifetime: 5100 }))
    const r = run(["simulate", "--order", path.join(dir, "order.json"), "--customer", path.join(dir, "customer.json"), "--format", "json"])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({
      points: 133,
      rule_names: ["base-earn", "gold-multiplier"],
      contributions: [{ rule: "base-earn", type: "points_per_amount", points: 89 }, { rule: "gold-multiplier", type: "multiplier", points: 44 }],
      tier: { code: "gold" },
      promotions: ["MEMBER5", "GOLD15"],
    })
    expect(out.facts.member.points_lifetime).toBe(5233)
  })

  it("prints a readable explanation and needs --order", () => {
    const dir = tmp()
    fs.writeFileSync(path.join(dir, "order.json"), JSON.stringify({ subtotal: 12345, shipping_total: 1000 }))
    const r = run(["simulate", "--order", path.join(dir, "order.json"), "--rules", "rules"])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("points: 223\n")
    expect(r.stdout).toMatch(/first-order-bonus\s+fixed_bonus\s+\+100/)
    expect(r.stdout).toContain("promotions: MEMBER5")
    expect(run(["simulate"]).code).toBe(2)
    expect(run(["simulate", "--order", path.join(dir, "missing.json")]).code).toBe(2)
  })

  it("simulates an earning action: the referrer's 500 of the campaigns example, and a review refused by its monthly limit", () => {
    const dir = tmp()
    const rules = path.join("examples", "rulebooks", "campaigns")
    fs.writeFileSync(path.join(dir, "referral.json"), JSON.stringify({ type: "referral", occurred_at: "2026-11-29T10:00:00Z", properties: { role: "referrer" } }))
    const referral = run(["simulate", "--rules", rules, "--action", path.join(dir, "referral.json"), "--format", "json"])
    expect(referral.code).toBe(0)
    expect(JSON.parse(referral.stdout)).toMatchObject({ points: 500, rule_names: ["referral-referrer-500"], refused: [], facts: { action: { local_date: "2026-11-29", local_weekday: "sunday" } } })
    const earlier = [2, 3, 4, 5, 6].map((d) => ({ occurred_at: `2026-11-0${d}T15:00:00Z`, rule_names: ["review-50"] }))
    fs.writeFileSync(path.join(dir, "review.json"), JSON.stringify({ type: "review", occurred_at: "2026-11-29T10:00:00Z", earlier_awards: earlier }))
    const review = run(["simulate", "--rules", rules, "--action", path.join(dir, "review.json")])
    expect(review.code).toBe(0)
    expect(review.stdout).toContain("points: 0\n")
    expect(review.stdout).toMatch(/refused: limit reached: "review-50" awards at most 5 times a month/)
    expect(run(["simulate", "--rules", rules, "--action", path.join(dir, "review.json"), "--order", path.join(dir, "review.json")]).code).toBe(2)
  })
})

describe("medusa-loyalty schema", () => {
  it("writes exactly the committed rules/schema files", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-schema-"))
    scratch.push(out)
    const r = run(["schema", out])
    expect(r.code).toBe(0)
    expect(fs.readdirSync(out).sort()).toEqual(RULE_FILE_KINDS.map((k) => `${k}.schema.json`).sort())
    for (const kind of RULE_FILE_KINDS) {
      expect(fs.readFileSync(path.join(out, `${kind}.schema.json`), "utf8")).toBe(readRepoFile(`rules/schema/${kind}.schema.json`))
    }
  })
})
