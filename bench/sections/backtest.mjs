/**
 * Backtest throughput: the domain backtest (re-evaluate every stored accrual under a candidate rulebook, compare,
 * aggregate per member with candidate tiers) over 100k synthetic accrual entries of 5,000 members. This is the
 * evaluation part of `medusa-loyalty backtest`; reading the ledger is PostgreSQL's share and is not counted.
 */
import path from "node:path"
import { createRequire } from "node:module"
import { performance } from "node:perf_hooks"

const require = createRequire(import.meta.url)
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..")
const dist = (p) => require(path.join(ROOT, "dist", p))
const { runBacktest } = dist("domain/reports/backtest.js")
const { compileRulebook } = dist("domain/rules/rulebook.js")
const { readRuleFiles } = dist("utils/rulebook-store.js")
const { prng, randomAccrualFacts, randomMemberFacts } = require(path.join(ROOT, "dist-bench", "tests", "support", "random-rules.js"))

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }

function entries(count, members) {
  const random = prng(0xbac7)
  return Array.from({ length: count }, (_, i) => {
    const facts = randomAccrualFacts(random)
    const customer_id = `cus_${i % members}`
    facts.customer.id = customer_id
    return { entry_id: `lent_${i}`, customer_id, order_id: facts.order.id, created_at: facts.order.created_at, earned: 100, rule_names: ["base-earn"], facts, in_window: i % 2 === 0 }
  })
}

export async function run(ctx = {}) {
  const count = ctx.quick ? 20_000 : 100_000
  const members_count = 5_000
  const candidate = compileRulebook(readRuleFiles(path.join(ROOT, "rules")))
  if (!candidate.ok) throw new Error("rules/ does not compile")
  const list = entries(count, members_count)
  const random = prng(0x3e3)
  const members = Array.from({ length: members_count }, (_, i) => ({ customer_id: `cus_${i}`, email: null, tier: "bronze", facts: { ...randomMemberFacts(random), customer_id: `cus_${i}` } }))
  const samples = []
  for (let t = 0; t < (ctx.quick ? 2 : 4); t++) {
    ctx.log?.(`backtest: ${count} entries, trial ${t + 1}`)
    const start = performance.now()
    const result = await runBacktest(candidate.rulebook, list, members)
    const ms = performance.now() - start
    if (result.totals === undefined && result.members.length === 0) throw new Error("backtest produced nothing")
    if (t > 0) samples.push(ms) // the first run warms up the JIT
  }
  const ms = median(samples)
  const per_100k_s = (ms / 1000) * (100_000 / count)
  ctx.note?.(`backtest: ${Math.round(count / (ms / 1000))} orders/s evaluated (${count} synthetic accruals of ${members_count} members under rules/, candidate tiers included); target: 100k orders in ≤ 5 s`)
  return [{ name: `backtest evaluation, ${count} orders of ${members_count} members`, unit: "s per 100k orders", median: per_100k_s, n: samples.length, verdict: per_100k_s <= 5 ? "ok" : "over" }]
}
