import { renderReviewMarkdown } from "../../src/cli/review-markdown"
import { buildReview, compareSamples, diffRulebooks, summarizeGolden, type ReviewInputs } from "../../src/domain/reports/review"
import type { Rulebook } from "../../src/domain/rules/rulebook"
import { compileOk, readRepoFile } from "./support/rule-files"

const shipped = (edit: (accrual: any) => void = () => undefined): Rulebook => {
  const accrual = JSON.parse(readRepoFile("rules/accrual.json"))
  edit(accrual)
  return compileOk([
    { name: "accrual.json", text: JSON.stringify(accrual) },
    { name: "tiers.json", text: readRepoFile("rules/tiers.json") },
    { name: "promotions.json", text: readRepoFile("rules/promotions.json") },
  ])
}

async function report(base: Rulebook | null, candidate: Rulebook, over: Partial<ReviewInputs> = {}) {
  return buildReview({
    base: { source: "origin/main:rules", version: base?.version ?? null, status: base ? "ok" : "missing", issues: [] },
    candidate: { rules_dir: "rules", files: 3, version: candidate.version, issues: [] },
    golden: summarizeGolden([{ file: "rules/tests/a.json", description: "a | b", status: "pass" }]),
    diff: diffRulebooks(base, candidate),
    samples: await compareSamples(base, candidate, [{ name: "first order", order: { subtotal: 5000 } }]),
    backtest: null,
    max_liability_delta: null,
    ...over,
  })
}

describe("review --format markdown", () => {
  it("shows the verdict, the change table, the field changes and the samples; pipes in text are escaped", async () => {
    const md = renderReviewMarkdown(await report(shipped(), shipped((a) => (a.rules[0].event.params.points = 2))))
    expect(md).toContain("## Loyalty rules review: ✅ ready to merge")
    expect(md).toContain("| ✅ | `rules/tests/a.json` a \\| b |  |")
    expect(md).toContain("| accrual | `base-earn` | changed | `event` |")
    expect(md).toContain("- `/event/params/points`: `1` → `2`")
    expect(md).toContain("| first order | 150 | 200 | +50 | base-earn, first-order-bonus | bronze | MEMBER5 |")
    expect(md).not.toContain("### Backtest")
  })

  it("leaves the per-change details out when the comment would be too long for GitHub, keeping the table", async () => {
    const r = await report(null, shipped())
    const full = renderReviewMarkdown(r)
    expect(full).toContain("<details><summary><b>accrual <code>base-earn</code></b> added</summary>")
    const short = renderReviewMarkdown(r, full.length - 1)
    expect(short).not.toContain("<details>")
    expect(short).toContain("| accrual | `base-earn` | added |")
    expect(short).toContain("run the review with `--format json` to see them")
  })
})
