import fs from "fs"
import path from "path"
import { Command } from "commander"
import type { AccrualFacts, CustomerFacts, MemberFacts, OrderFacts } from "../../domain/rules/facts"
import { ActionInput, CustomerInput, MemberInput, OrderInput, parseJsonInput, simulate, simulateAction, SimulationInput, type SimulationResult } from "../../domain/reports/simulation"
import { actionFacts } from "../../domain/program/action"
import type { Rulebook } from "../../domain/rules/rulebook"
import { compileDir, displayPath, formatIssueLines, formatOption, locateIssues, readInputFile, resolveRulesDir, type Format } from "../rules"
import { medusaVersionOption, withReadOnly, withStore } from "../store"
import { medusaSchemaOf } from "../../utils/medusa-schema"
import { readBacktestMembers } from "../../utils/backtest-source"
import type { z } from "zod"

/**
 * `simulate --order <f.json | order_id> [--customer <f.json | customer_id>] [--member f.json] [--rules dir]`: what the
 * rules would do; the simulation writes nothing. Ids are read from the store of the current directory (booted once):
 * an order id replays a stored order (with its customer as they were when it was placed); a customer id evaluates
 * the order for that customer as they are now (orders, points, tier, groups, and the 365-day member windows), except
 * for the customer's own stored order, whose facts now already include it (replayed as placed). With --database-url
 * (a Medusa 2 store, whose container this CLI cannot boot, or any store) the ids are read from that database instead,
 * read-only: an order as its accrual stored its facts, a customer's figures as the backtest reads them.
 */
export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("evaluate an order (facts from JSON files) against the rules: points per rule, the resulting tier and promotions; or an earning action (--action); writes nothing")
    .option("--action <file>", "an earning action as JSON ({ type, reference?, occurred_at?, properties?, earlier_awards? }), instead of --order; --member gives the member's facts")
    .option("--order <file|order_id>", "order facts as JSON (rules/README.md, facts `order`; missing fields get defaults), or the id of an order stored in the store of the current directory")
    .option("--customer <file|customer_id>", "customer facts as JSON (default: a new customer: no orders, no points, no tier), or the id of a customer stored in the store of the current directory (their facts now)")
    .option("--member <file>", "member facts for tiers and promotions (default: the customer after this order)")
    .option("--rules <dir>", "directory of rule files (default: ./rules, else the package's default program)")
    .option("--database-url <url>", "PostgreSQL URL of the store to read order and customer ids from (read-only), instead of booting the store of the current directory; the way to a Medusa 2 store")
    .addOption(medusaVersionOption())
    .addOption(formatOption())
    .addHelpText("after", "\nWith an order or customer id, run it in the store directory: the store boots (its loaders run, as with `medusa start`) to read their facts; with --database-url they are read from that database instead. The simulation itself writes nothing.")
    .action(async (opts: { order?: string; action?: string; customer?: string; member?: string; rules?: string; databaseUrl?: string; medusaVersion?: string; format: Format }, cmd: Command) => {
      const dir = resolveRulesDir(cmd, opts.rules)
      if (opts.action !== undefined) {
        if (opts.order !== undefined) cmd.error("medusa-loyalty: give either --order or --action, not both", { exitCode: 2, code: "loyalty.usage" })
        simulateActionCommand(dir, opts.action, opts.member, opts.format, cmd)
        return
      }
      if (opts.order === undefined) cmd.error("medusa-loyalty: --order <file|order_id> or --action <file> is required", { exitCode: 2, code: "loyalty.usage" })
      const order = opts.order!
      const ids = [isStoredId(order, "order") ? order : null, opts.customer && isStoredId(opts.customer, "cus") ? opts.customer : null] as const
      const stored = opts.databaseUrl !== undefined ? await storedFactsOfDatabase(opts.databaseUrl, opts.medusaVersion, ...ids) : await storedFacts(...ids)
      const inputs = {
        order: stored.order ? ok(stored.order) : load(cmd, OrderInput, order),
        customer: stored.customer ? ok(stored.customer) : opts.customer ? load(cmd, CustomerInput, opts.customer) : stored.order_customer ? ok(stored.order_customer) : undefined,
        member: opts.member ? load(cmd, MemberInput, opts.member) : undefined,
      }
      const problems = Object.values(inputs).flatMap((i) => (i && !i.ok ? i.issues : []))
      if (problems.length) {
        process.stderr.write(`${formatIssueLines(problems)}\n`)
        process.exitCode = 1
        return
      }
      const rulebook = compiledOrExplain(dir)
      if (!rulebook) return
      const value = <T>(i: { ok: true; value: T } | { ok: false } | undefined) => (i && i.ok ? i.value : undefined)
      const input = SimulationInput.parse({ order: value(inputs.order), customer: value(inputs.customer), member: value(inputs.member) })
      const sim = await simulate(rulebook, input, stored.member_before)
      const report = {
        rules_dir: displayPath(dir),
        rulebook_version: rulebook.version,
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
      process.stdout.write(opts.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : `${formatSimulation(dir, rulebook.version, sim)}\n`)
    })
}

/** `simulate --action f.json [--member f.json]`: the action rules' verdict for one action; writes nothing. */
function simulateActionCommand(dir: string, file: string, memberFile: string | undefined, format: Format, cmd: Command): void {
  const action = load(cmd, ActionInput, file)
  const member = memberFile ? load(cmd, MemberInput, memberFile) : undefined
  const problems = [action, member].flatMap((i) => (i && !i.ok ? i.issues : []))
  if (problems.length || !action.ok || (member && !member.ok)) {
    process.stderr.write(`${formatIssueLines(problems)}\n`)
    process.exitCode = 1
    return
  }
  const rulebook = compiledOrExplain(dir)
  if (!rulebook) return
  const sim = simulateAction(rulebook, action.value, member?.ok ? member.value : undefined)
  const facts = actionFacts(action.value, rulebook.program.timezone)
  if (format === "json") {
    process.stdout.write(`${JSON.stringify({ rules_dir: displayPath(dir), ...sim, facts: { action: facts } }, null, 2)}\n`)
    return
  }
  const width = Math.max(4, ...sim.contributions.map((c) => c.rule.length))
  const lines = [
    `rulebook ${displayPath(dir)}, version ${sim.rulebook_version.slice(0, 12)}`,
    `action ${facts.type} ${facts.reference} at ${facts.occurred_at} (store date ${facts.local_date}, ${facts.local_weekday})`,
    `points: ${sim.points}`,
    ...sim.contributions.map((c) => `  ${c.rule.padEnd(width)}  +${c.points}`),
    ...sim.refused.map((r) => `  refused: ${r.message}`),
    "nothing was written",
  ]
  process.stdout.write(`${lines.join("\n")}\n`)
}

// An argument that names no file but looks like a Medusa id is a record to load from the store.
function isStoredId(arg: string, prefix: "order" | "cus"): boolean {
  return !fs.existsSync(arg) && new RegExp(`^${prefix}_[A-Za-z0-9]+$`).test(arg)
}

interface StoredFacts {
  order?: OrderFacts
  /** The order's customer as they were when it was placed. */
  order_customer?: CustomerFacts
  /** The given customer as they are now, and their member facts (for the 365-day windows). */
  customer?: CustomerFacts
  member_before?: MemberFacts
}

/** Boots the store once (only when an id was given) and reads what the ids name; a missing record is an error. */
async function storedFacts(order_id: string | null, customer_id: string | null): Promise<StoredFacts> {
  if (order_id === null && customer_id === null) return {}
  type Accrual = { buildFacts(id: string): Promise<{ facts: AccrualFacts }> }
  type Tier = { memberFacts(id: string): Promise<MemberFacts> }
  return await withStore(process.cwd(), { verbose: false, command: "simulate" }, async (container) => {
    const out: StoredFacts = {}
    if (order_id !== null) {
      const { facts } = await container.resolve<Accrual>("loyaltyAccrualService").buildFacts(order_id)
      Object.assign(out, { order: facts.order, order_customer: facts.customer })
    }
    if (customer_id !== null && out.order_customer?.id === customer_id) {
      // Their facts now already count this very order (orders, spend, points): replay it as it was placed instead.
      process.stderr.write(`simulate: order ${order_id} is ${customer_id}'s own: evaluated with their facts as at the order\n`)
      return out
    }
    if (customer_id !== null) {
      const manager = container.resolve<{ query(sql: string, params: unknown[]): Promise<Array<{ email: string }>> }>("manager")
      const [row] = await manager.query("SELECT email FROM customer WHERE id = $1 AND deleted_at IS NULL", [customer_id])
      if (!row) throw new Error(`customer ${customer_id} not found in the store of ${process.cwd()}`)
      const member = await container.resolve<Tier>("loyaltyTierService").memberFacts(customer_id)
      out.member_before = member
      out.customer = {
        id: customer_id, email: row.email, group_ids: member.group_ids, created_at: member.created_at, orders_count: member.orders_count,
        points_balance: member.points_balance, points_lifetime: member.points_lifetime, tier: member.tier,
      }
    }
    return out
  })
}

/**
 * What storedFacts reads, from a store's database (read-only, one snapshot): an order as its accrual stored its facts
 * (the order and its customer as they were when it was placed, what the backtest replays), a customer's figures now
 * as the backtest reads them (Medusa 1 or 2 tables). An order without an accrual, or a missing customer, is an error.
 */
async function storedFactsOfDatabase(databaseUrl: string, medusaVersion: string | undefined, order_id: string | null, customer_id: string | null): Promise<StoredFacts> {
  if (order_id === null && customer_id === null) return {}
  return await withReadOnly(databaseUrl, async (query) => {
    const out: StoredFacts = {}
    if (order_id !== null) {
      const [row] = await query(`SELECT details->'facts' AS facts FROM loyalty_ledger_entry WHERE order_id = $1 AND kind = 'accrual'`, [order_id])
      const facts = row?.facts as AccrualFacts | undefined
      if (!facts?.order || !facts.customer) throw new Error(`order ${order_id} has no accrual with its facts in the store's ledger`)
      Object.assign(out, { order: facts.order, order_customer: facts.customer })
    }
    if (customer_id !== null && out.order_customer?.id === customer_id) {
      process.stderr.write(`simulate: order ${order_id} is ${customer_id}'s own: evaluated with their facts as at the order\n`)
      return out
    }
    if (customer_id !== null) {
      const [row] = await query(`SELECT email FROM customer WHERE id = $1 AND deleted_at IS NULL`, [customer_id])
      if (!row) throw new Error(`customer ${customer_id} not found in the store's database`)
      const [found] = await readBacktestMembers(query, [customer_id], new Date(), await medusaSchemaOf(query, medusaVersion))
      // No account yet: a member with nothing, as the store would open one at their first order.
      const member: MemberFacts = found?.facts ?? {
        customer_id, points_lifetime: 0, points_balance: 0, tier: null, orders_count: 0, points_last_365d: 0, spend_last_365d_minor: 0, group_ids: [], created_at: new Date().toISOString(),
      }
      out.member_before = member
      out.customer = {
        id: customer_id, email: row.email, group_ids: member.group_ids, created_at: member.created_at, orders_count: member.orders_count,
        points_balance: member.points_balance, points_lifetime: member.points_lifetime, tier: member.tier,
      }
    }
    return out
  })
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
    `points: ${sim.accrual.points}${sim.pending ? " (pending: the program's pending_days or spendable_on)" : ""}`,
    ...(sim.accrual.contributions.length ? sim.accrual.contributions.map((c) => `  ${c.rule.padEnd(width)}  ${c.type.padEnd(17)}  ${c.points >= 0 ? "+" : ""}${c.points}`) : ["  (no rule fired)"]),
    `tier: ${sim.tier ? `${sim.tier.code} (${sim.tier.name})` : "none (no tiers file)"} at ${sim.member.points_lifetime} lifetime points`,
    `promotions: ${sim.promotions.length ? sim.promotions.join(", ") : "none"}`,
    "nothing was written",
  ]
  return lines.join("\n")
}

/** The rulebook of `dir`, or null after printing its located issues and setting exit code 1. */
function compiledOrExplain(dir: string): Rulebook | null {
  const { result } = compileDir(dir)
  if (result.ok) return result.rulebook
  process.stderr.write(`${formatIssueLines(locateIssues(dir, result.issues))}\nthe rulebook does not compile: run medusa-loyalty validate\n`)
  process.exitCode = 1
  return null
}
