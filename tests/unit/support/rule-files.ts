/** Small factories with defaults for rule-file and fact tests (unit tests only). */
import fs from "fs"
import path from "path"
import { compileRulebook, type Rulebook } from "../../../src/domain/rules/rulebook"
import type { RuleFileIssue } from "../../../src/domain/rules/rule-issues"
import type { AccrualFacts, CustomerFacts, LineItemFacts, MemberFacts, OrderFacts } from "../../../src/domain/rules/facts"

export const REPO = path.resolve(__dirname, "../../..")

export function readRepoFile(relative: string): string {
  return fs.readFileSync(path.join(REPO, relative), "utf8")
}

/** An accrual rule with a valid default condition and event; override any part. */
export function rule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "base-earn",
    conditions: { all: [{ fact: "order", path: "$.currency_decimals", operator: "equal", value: 2 }] },
    event: { type: "points_per_amount", params: { points: 1, per_minor: 100 } },
    ...overrides,
  }
}

export function accrualFile(rules: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ kind: "accrual", rules, ...extra }, null, 2)
}

/** Compiles files that must be valid; fails the test with the issues otherwise. */
export function compileOk(files: Array<{ name: string; text: string }>): Rulebook {
  const result = compileRulebook(files)
  if (!result.ok) throw new Error(`expected a valid rulebook, got:\n${JSON.stringify(result.issues, null, 2)}`)
  return result.rulebook
}

/** Compiles files that must be invalid and returns the issues. */
export function compileIssues(files: Array<{ name: string; text: string }>): RuleFileIssue[] {
  const result = compileRulebook(files)
  if (result.ok) throw new Error("expected issues, the rulebook compiled")
  return result.issues
}

export function rulebookOf(...rules: unknown[]): Rulebook {
  return compileOk([{ name: "accrual.json", text: accrualFile(rules) }])
}

export const defaultRulebook = (): Rulebook => compileOk([{ name: "accrual.json", text: readRepoFile("rules/accrual.json") }])

export function item(overrides: Partial<LineItemFacts> = {}): LineItemFacts {
  return {
    id: "item_1", title: "Shirt", product_id: "prod_1", variant_id: "variant_1", sku: "SHIRT-M", collection_id: null,
    type: "shirt", type_id: "ptyp_1", tags: [], quantity: 1, unit_price: 12345, subtotal: 12345, discount_total: 0,
    total: 12345, ...overrides,
  }
}

export function order(overrides: Partial<OrderFacts> = {}): OrderFacts {
  return {
    id: "order_1", subtotal: 12345, discount_total: 2345, shipping_total: 1000, tax_total: 500, total: 11500,
    gift_card_total: 0, currency_code: "usd", currency_decimals: 2, region_id: "reg_1", sales_channel_id: null,
    items: [item()], created_at: "2024-05-01T10:00:00.000Z", ...overrides,
  }
}

export function customer(overrides: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    id: "cus_1", email: "ada@example.com", group_ids: [], created_at: "2024-01-01T00:00:00.000Z", orders_count: 3,
    points_balance: 0, points_lifetime: 0, tier: null, ...overrides,
  }
}

export function facts(o: Partial<OrderFacts> = {}, c: Partial<CustomerFacts> = {}): AccrualFacts {
  return { order: order(o), customer: customer(c) }
}

/** A member with no points, no tier and no orders; override any fact. */
export function member(overrides: Partial<MemberFacts> = {}): MemberFacts {
  return {
    customer_id: "cus_1", points_lifetime: 0, points_balance: 0, tier: null, orders_count: 0, points_last_365d: 0,
    spend_last_365d_minor: 0, group_ids: [], created_at: "2024-01-01T00:00:00.000Z", ...overrides,
  }
}

/** A `{ all: [one member leaf] }` condition. */
export function memberWhen(path: string, operator: string, value: unknown): Record<string, unknown> {
  return { all: [{ fact: "member", path, operator, value }] }
}

/** A tier at `points_lifetime ≥ min_points` (or the always-true base tier when min_points is null); override any part. */
export function tier(code: string, rank: number, min_points: number | null, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const conditions = min_points === null ? { all: [] } : memberWhen("$.points_lifetime", "greaterThanInclusive", min_points)
  return { code, name: code[0].toUpperCase() + code.slice(1), rank, conditions, ...overrides }
}

/** The default ladder's shape: bronze (all), silver 1000, gold 5000, platinum 20000. */
export const LADDER = (): Array<Record<string, unknown>> => [tier("bronze", 0, null), tier("silver", 1, 1000), tier("gold", 2, 5000), tier("platinum", 3, 20000)]

export function tiersFile(tiers: unknown[] = LADDER(), extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ kind: "tiers", downgrade: { policy: "never" }, tiers, ...extra }, null, 2)
}

/** A 5 % promotion for every member; override any part. */
export function promotion(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    code: "MEMBER5", name: "Member 5 %", conditions: { all: [] },
    discount: { type: "percentage", value: 5 }, ...overrides,
  }
}

export function promotionsFile(promotions: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ kind: "promotions", promotions, ...extra }, null, 2)
}

/** The package's default rule files, every kind. */
export const defaultFiles = (): Array<{ name: string; text: string }> =>
  ["accrual", "program", "tiers", "promotions"].map((kind) => ({ name: `${kind}.json`, text: readRepoFile(`rules/${kind}.json`) }))

export const defaultProgramRulebook = (): Rulebook => compileOk(defaultFiles())
