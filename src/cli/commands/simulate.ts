import fs from "fs"
import path from "path"
import { Command } from "commander"
import type { AccrualFacts } from "../../domain/facts"
import { CustomerInput, MemberInput, OrderInput, parseJsonInput, simulate, SimulationInput, type SimulationResult } from "../../domain/simulation"
import { compileDir, displayPath, formatIssueLines, formatOption, locateIssues, readInputFile, resolveRulesDir, type Format } from "../rules"
import { withStore } from "../store"
import type { z } from "zod"

/**
 * `simulate --order <f.json | order_id> [--customer f.json] [--member f.json] [--rules dir]`: what the rules would do;
 * writes nothing. With an order id, the order's facts (and its customer's) come from the store of the current
 * directory, so a stored order can be replayed under a candidate rules directory.
 */
export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("evaluate an order (facts from JSON files) against the rules: points per rule, the resulting tier and promotions; writes nothing")
    .requiredOption("--order <file|order_id>", "order facts as JSON (rules/README.md, facts `order`; missing fields get defaults), or the id of an order stored in the store of the current directory")
    .option("--customer <file>", "customer facts as JSON (default: a new customer: no orders, no points, no tier)")
    .option("--member <file>", "member facts for tiers and promotions (default: the customer after this order)")
    .option("--rules <dir>", "directory of rule files (default: ./rules, else the package's default program)")
    .addOption(formatOption())
    .addHelpText("after", "\nWith an order id, run it in the store directory: the store boots read-only to load the order's facts.")
    .action(async (opts: { order: string; customer?: string; member?: string; rules?: string; format: Format }, cmd: Command) => {
      const dir = resolveRulesDir(cmd, opts.rules)
      const stored = isStoredOrderId(opts.order) ? await storedFacts(opts.order) : null
      const inputs = {
        order: stored ? ok(stored.order) : load(cmd, OrderInput, opts.order),
        customer: opts.customer ? load(cmd, CustomerInput, opts.customer) : stored ? ok(stored.customer) : undefined,
        member: opts.member ? load(cmd, MemberInput, opts.member) : undefined,
      }
      const problems = Object.values(inputs).flatMap((i) => (i && !i.ok ? i.issues : []))
      if (problems.length) {
        process.stderr.write(`${formatIssueLines(problems)}\n`)
        process.exitCode = 1
        return
      }
      const { result } = compileDir(dir)
      if (!result.ok) {
        process.stderr.write(`${formatIssueLines(locateIssues(dir, result.issues))}\nthe rulebook does not compile: run medusa-loyalty validate\n`)
        process.exitCode = 1
        return
      }
      const value = <T>(i: { ok: true; value: T } | { ok: false } | undefined) => (i && i.ok ? i.value : undefined)
      const input = SimulationInput.parse({ order: value(inputs.order), customer: value(inputs.customer), member: value(inputs.member) })
      const sim = await simulate(result.rulebook, input)
      const report = {
        rules_dir: displayPath(dir),
        rulebook_version: result.rulebook.version,
        points: sim.accrual.points,
        pending: sim.pending,
        rule_names: sim.accrual.rule_names,
        contributions: sim.accrual.contributions,
        amount_points: sim.accrual.amount_points,
        bonus_points: sim.accrual.bonus_points,
        multiplier_bp: sim.accrual.multiplier_bp,
        tier: sim.tier,
        promotions: sim.promotions,
        facts: { ...sim.facts, member: sim.member },
      }
      process.stdout.write(opts.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : `${formatSimulation(dir, result.rulebook.version, sim)}\n`)
    })
}

// An argument that names no file but looks like a Medusa order id is an order to load from the store.
function isStoredOrderId(arg: string): boolean {
  return !fs.existsSync(arg) && /^order_[A-Za-z0-9]+$/.test(arg)
}

async function storedFacts(order_id: string): Promise<AccrualFacts> {
  type Accrual = { buildFacts(id: string): Promise<{ facts: AccrualFacts }> }
  const { facts } = await withStore(process.cwd(), { verbose: false }, (c) => c.resolve<Accrual>("loyaltyAccrualService").buildFacts(order_id))
  return facts
}

function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value }
}

function load<T extends z.ZodType>(cmd: Command, schema: T, file: string) {
  return parseJsonInput(schema, displayPath(path.resolve(file)), readInputFile(cmd, file))
}

function formatSimulation(dir: string, version: string, sim: SimulationResult): string {
  const { order } = sim.facts
  const amount = (minor: number) => (minor / 10 ** order.currency_decimals).toFixed(order.currency_decimals)
  const width = Math.max(4, ...sim.accrual.contributions.map((c) => c.rule.length))
  const lines = [
    `rulebook ${displayPath(dir)}, version ${version.slice(0, 12)}`,
    `order ${order.id}: subtotal ${amount(order.subtotal)}, discounts ${amount(order.discount_total)}, shipping ${amount(order.shipping_total)}, total ${amount(order.total)} ${order.currency_code.toUpperCase()}`,
    `points: ${sim.accrual.points}${sim.pending ? " (pending: the program's pending_days)" : ""}`,
    ...(sim.accrual.contributions.length ? sim.accrual.contributions.map((c) => `  ${c.rule.padEnd(width)}  ${c.type.padEnd(17)}  ${c.points >= 0 ? "+" : ""}${c.points}`) : ["  (no rule fired)"]),
    `tier: ${sim.tier ? `${sim.tier.code} (${sim.tier.name})` : "none (no tiers file)"} at ${sim.member.points_lifetime} lifetime points`,
    `promotions: ${sim.promotions.length ? sim.promotions.join(", ") : "none"}`,
    "nothing was written",
  ]
  return lines.join("\n")
}
