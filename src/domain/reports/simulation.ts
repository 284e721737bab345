/**
 * Offline simulation and golden tests of a rulebook: facts given as partial JSON (missing fields defaulted), the
 * same accrual, tier and promotion evaluation as the store, and a field-by-field diff of expected vs actual.
 * Pure: no file system, no clock, no database.
 */
import { z } from "zod"
import { evaluateAccrual, type AccrualResult } from "../program/accrual"
import { actionFacts, evaluateAction, type ActionResult } from "../program/action"
import { currencyDecimals } from "../shared/currency"
import type { AccrualFacts, CustomerFacts, MemberFacts, OrderFacts } from "../rules/facts"
import { eligiblePromotions } from "../program/promotions"
import { accruesPending } from "../rules/program"
import type { Rulebook } from "../rules/rulebook"
import { unknownKeyError, zodIssuesToRuleIssues, type RuleFileIssue } from "../rules/rule-issues"
import { evaluateTier, type TierRef } from "../program/tiers"

/** A strict object whose unknown keys get a "did you mean" hint. */
function strict<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, { error: unknownKeyError(Object.keys(shape)) })
}

const DEFAULT_TIME = "2025-01-01T00:00:00.000Z"
const money = z.number().int()
const ids = z.array(z.string())

export const LineItemInput = strict({
  id: z.string().default("item_1"),
  title: z.string().default("Item"),
  product_id: z.string().nullable().default(null),
  variant_id: z.string().nullable().default(null),
  sku: z.string().nullable().default(null),
  collection_id: z.string().nullable().default(null),
  type: z.string().nullable().default(null),
  type_id: z.string().nullable().default(null),
  tags: ids.default([]),
  quantity: z.number().int().default(1),
  unit_price: money.optional(),
  subtotal: money.optional(),
  discount_total: money.default(0),
  total: money.optional(),
})

export const OrderInput = strict({
  id: z.string().default("order_simulated"),
  subtotal: money.optional(),
  discount_total: money.default(0),
  shipping_total: money.default(0),
  tax_total: money.default(0),
  total: money.optional(),
  gift_card_total: money.default(0),
  currency_code: z.string().default("usd"),
  currency_decimals: z.number().int().optional(),
  region_id: z.string().default("reg_simulated"),
  sales_channel_id: z.string().nullable().default(null),
  items: z.array(LineItemInput).default([]),
  created_at: z.string().default(DEFAULT_TIME),
})

export const CustomerInput = strict({
  id: z.string().default("cus_simulated"),
  email: z.string().default("customer@example.com"),
  group_ids: ids.default([]),
  created_at: z.string().default(DEFAULT_TIME),
  orders_count: z.number().int().default(0),
  points_balance: z.number().int().default(0),
  points_lifetime: z.number().int().default(0),
  tier: z.string().nullable().default(null),
})

export const MemberInput = strict({
  customer_id: z.string().optional(),
  points_lifetime: z.number().int().optional(),
  points_balance: z.number().int().optional(),
  tier: z.string().nullable().optional(),
  orders_count: z.number().int().optional(),
  points_last_365d: z.number().int().optional(),
  spend_last_365d_minor: z.number().int().optional(),
  group_ids: ids.optional(),
  created_at: z.string().optional(),
})

export type MemberInput = z.output<typeof MemberInput>

/** What a simulation reads: partial facts as JSON; every missing field gets a documented default. */
export const SimulationInput = strict({
  order: OrderInput.default(OrderInput.parse({})),
  customer: CustomerInput.default(CustomerInput.parse({})),
  member: MemberInput.optional(),
})

const propertyValue = z.union([z.string(), z.number(), z.boolean(), z.null()])

/**
 * An earning action to simulate: the action (type, reference, when, properties) and the member's earlier awards
 * (for limits: when each occurred and which rules awarded it).
 */
export const ActionInput = strict({
  type: z.string(),
  reference: z.string().default("ref_simulated"),
  occurred_at: z.string().refine((t) => Number.isFinite(Date.parse(t)), "expected an ISO 8601 date-time, e.g. 2026-11-29T10:00:00Z").default(DEFAULT_TIME),
  properties: z.record(z.string(), propertyValue).default({}),
  earlier_awards: z.array(strict({ occurred_at: z.string(), rule_names: z.array(z.string()) })).default([]),
})
export type ActionInput = z.output<typeof ActionInput>

/**
 * Evaluates an earning action for a member exactly as the store does (the member's facts from `member`, missing
 * ones defaulted); writes nothing. Invariant: pure.
 */
export function simulateAction(rulebook: Rulebook, action: ActionInput, member: MemberInput | undefined): ActionResult {
  const defaults = memberFacts(undefined, { order: orderFacts(OrderInput.parse({})), customer: CustomerInput.parse({}) }, 0, false)
  const m = { ...defaults, orders_count: 0, ...Object.fromEntries(Object.entries(member ?? {}).filter(([, v]) => v !== undefined)) }
  return evaluateAction(rulebook, { action: actionFacts(action, rulebook.program.timezone), member: m }, action.earlier_awards)
}

/** A golden test file (`<rules_dir>/tests/*.json`): facts plus the expected outcome (only the fields given are checked). */
export const GoldenTestFile = strict({
  $schema: z.string().optional(),
  description: z.string().optional(),
  action: ActionInput.optional(),
  order: OrderInput.optional(),
  customer: CustomerInput.optional(),
  member: MemberInput.optional(),
  expect: strict({
    points: z.number().int().optional(),
    rule_names: z.array(z.string()).optional(),
    tier: z.string().nullable().optional(),
    promotions: z.array(z.string()).optional(),
    /** Action tests: the names of the rules refused by a limit. */
    refused: z.array(z.string()).optional(),
  }),
})
export type GoldenTestFile = z.output<typeof GoldenTestFile>

/** Order facts with defaults: items' amounts from unit_price × quantity, subtotal from the items, total from the parts. */
export function orderFacts(input: z.output<typeof OrderInput>): OrderFacts {
  const items = input.items.map((item) => {
    const unit_price = item.unit_price ?? (item.subtotal !== undefined ? Math.floor(item.subtotal / Math.max(item.quantity, 1)) : 0)
    const subtotal = item.subtotal ?? unit_price * item.quantity
    return { ...item, unit_price, subtotal, total: item.total ?? subtotal - item.discount_total }
  })
  const subtotal = input.subtotal ?? items.reduce((sum, i) => sum + i.subtotal, 0)
  const total = input.total ?? subtotal - input.discount_total + input.shipping_total + input.tax_total - input.gift_card_total
  return { ...input, items, subtotal, total, currency_decimals: input.currency_decimals ?? currencyDecimals(input.currency_code) }
}

/**
 * Member facts for tiers and promotions. Given fields are kept; missing ones come from the member AFTER this order:
 * `before` (the stored member's facts now, when simulating for a stored customer) or else the customer facts, plus
 * the points earned unless they are pending, one more order and this order's spend;
 * a missing `tier` is the tier the ladder gives those facts (the member as stored after evaluation).
 */
export function memberFacts(given: MemberInput | undefined, facts: AccrualFacts, earned: number, pending: boolean, before?: MemberFacts): MemberFacts {
  const credited = pending ? 0 : earned
  const m = given ?? {}
  const spend_minor = Math.max(facts.order.subtotal - facts.order.discount_total, 0)
  return {
    customer_id: m.customer_id ?? facts.customer.id,
    points_lifetime: m.points_lifetime ?? facts.customer.points_lifetime + credited,
    points_balance: m.points_balance ?? facts.customer.points_balance + credited,
    tier: m.tier ?? null,
    orders_count: m.orders_count ?? facts.customer.orders_count + 1,
    points_last_365d: m.points_last_365d ?? (before?.points_last_365d ?? 0) + credited,
    spend_last_365d_minor: m.spend_last_365d_minor ?? (before?.spend_last_365d_minor ?? 0) + spend_minor,
    group_ids: m.group_ids ?? facts.customer.group_ids,
    created_at: m.created_at ?? facts.customer.created_at,
  }
}

export interface SimulationResult {
  facts: AccrualFacts
  accrual: AccrualResult
  /** Points earned are pending (program pending_days > 0, or spendable_on "captured"): not in lifetime or balance yet. */
  pending: boolean
  member: MemberFacts
  /** The tier the ladder gives `member`, or null without a tiers file. */
  tier: TierRef | null
  /** Codes of the promotions `member` is eligible for (with `member.tier` = the stored tier or `tier`). */
  promotions: string[]
}

/**
 * Evaluates an order (and the member after it) against a rulebook, exactly as the store does; writes nothing.
 * `before`: the stored member's facts now, so the 365-day windows include their history (simulate --customer <id>).
 */
export async function simulate(rulebook: Rulebook, input: z.output<typeof SimulationInput>, before?: MemberFacts): Promise<SimulationResult> {
  const facts: AccrualFacts = { order: orderFacts(input.order), customer: input.customer }
  const accrual = evaluateAccrual(rulebook, facts)
  const pending = accruesPending(rulebook.program, false) // a just-placed order: authorized, not captured
  const member = memberFacts(input.member, facts, accrual.points, pending, before)
  const tier = evaluateTier(rulebook, member)
  if (input.member?.tier === undefined) member.tier = tier?.code ?? null
  const promotions = eligiblePromotions(rulebook, member).map((p) => p.code)
  return { facts, accrual, pending, member, tier, promotions }
}

/** Parses JSON text against a zod schema; issues carry the file name, pointer and line/column like rule file issues. */
export function parseJsonInput<T extends z.ZodType>(schema: T, file: string, text: string): { ok: true; value: z.output<T> } | { ok: false; issues: RuleFileIssue[] } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return { ok: false, issues: [{ file, pointer: "", message: `invalid JSON: ${(e as Error).message}` }] }
  }
  const result = schema.safeParse(json, { reportInput: true })
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: zodIssuesToRuleIssues(file, text, result.error.issues) }
}

export interface FieldDiff {
  /** JSON pointer into `expect`, e.g. "/rule_names/1". */
  pointer: string
  expected: unknown
  actual: unknown
}

/** Field-by-field differences of two JSON values (objects by key, arrays by index); [] when equal. */
export function diffJson(expected: unknown, actual: unknown, pointer = ""): FieldDiff[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const diffs: FieldDiff[] = []
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (i >= expected.length) diffs.push({ pointer: `${pointer}/${i}`, expected: undefined, actual: actual[i] })
      else if (i >= actual.length) diffs.push({ pointer: `${pointer}/${i}`, expected: expected[i], actual: undefined })
      else diffs.push(...diffJson(expected[i], actual[i], `${pointer}/${i}`))
    }
    return diffs
  }
  if (isObj(expected) && isObj(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])]
    return keys.flatMap((k) => diffJson(expected[k], actual[k], `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`))
  }
  return Object.is(expected, actual) ? [] : [{ pointer: pointer || "/", expected, actual }]
}

export interface GoldenOutcome {
  /** The checked fields only (those in `expect`). */
  actual: Record<string, unknown>
  diffs: FieldDiff[]
  /** The order simulation; null for an action test. */
  result: SimulationResult | null
}

/**
 * Runs one golden test: simulates its facts (an action when the test has `action`, an order otherwise) and compares
 * the fields of `expect` with the outcome.
 */
export async function runGoldenTest(rulebook: Rulebook, test: GoldenTestFile): Promise<GoldenOutcome> {
  if (test.action) {
    const result = simulateAction(rulebook, test.action, test.member)
    const outcome: Record<string, unknown> = { points: result.points, rule_names: result.rule_names, refused: result.refused.map((r) => r.rule) }
    const expected = test.expect as Record<string, unknown>
    const actual = Object.fromEntries(Object.keys(expected).map((k) => [k, outcome[k]]))
    return { actual, diffs: diffJson(expected, actual), result: null }
  }
  const input = SimulationInput.parse({ order: test.order ?? {}, customer: test.customer ?? {}, member: test.member })
  const result = await simulate(rulebook, input)
  const outcome: Record<string, unknown> = {
    points: result.accrual.points,
    rule_names: result.accrual.rule_names,
    tier: result.tier?.code ?? null,
    promotions: result.promotions,
    refused: [],
  }
  const expected = test.expect as Record<string, unknown>
  const actual = Object.fromEntries(Object.keys(expected).map((k) => [k, outcome[k]]))
  return { actual, diffs: diffJson(expected, actual), result }
}
