/**
 * Seeded random facts and random (valid) rules, for the evaluator's differential test and the benchmark. Values
 * come from small shared pools so conditions hit as often as they miss; rules are built from the fact catalogue so
 * every generated file passes the validator the store runs (what the store cannot load need not agree).
 */
import type { ConditionNode, Operator, Primitive, TopLevelCondition } from "../../src/domain/rules/condition"
import { checkFactPath, knownPaths, type FactName, type PathValue, type ScalarType } from "../../src/domain/rules/fact-catalogue"
import type { AccrualFacts, LineItemFacts, MemberFacts } from "../../src/domain/rules/facts"

export type Random = () => number

/** mulberry32: a tiny seeded PRNG, so a failing case can be replayed from its seed. */
export function prng(seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const int = (r: Random, min: number, max: number): number => min + Math.floor(r() * (max - min + 1))
const pick = <T>(r: Random, list: readonly T[]): T => list[Math.floor(r() * list.length)]
const maybe = <T>(r: Random, p: number, value: () => T, otherwise: T): T => (r() < p ? value() : otherwise)
const some = <T>(r: Random, list: readonly T[], max: number): T[] => Array.from(new Set(Array.from({ length: int(r, 0, max) }, () => pick(r, list))))

const POOLS: Record<ScalarType, readonly Primitive[]> = {
  string: ["usd", "eur", "jpy", "gold", "silver", "bronze", "platinum", "SKU-1", "SKU-2", "SKU-3", "shirt", "mug", "sale", "new", "pcol_1", "pcol_2", "reg_1", "reg_2", "sc_1", "cgrp_vip", "cgrp_staff", "ptyp_1", "", "a@example.com"],
  number: [-1, 0, 1, 2, 3, 5, 10, 99, 100, 999, 1000, 2500, 5000, 9999, 10000, 25000, 100000, 0.5, 1.5],
  boolean: [true, false],
  any: ["5", 5, true, null],
}
const LIST_VALUES = (type: ScalarType): readonly Primitive[] => POOLS[type]

function amount(r: Random): number {
  return pick(r, [0, 1, 99, 100, 999, 1000, 4999, 5000, 10000, 25000]) + int(r, 0, 3) * int(r, 0, 20000)
}

function lineItem(r: Random, i: number): LineItemFacts {
  const quantity = int(r, 1, 5)
  const unit_price = amount(r)
  const subtotal = quantity * unit_price
  const discount_total = maybe(r, 0.3, () => Math.floor(subtotal * int(r, 0, 50) / 100), 0)
  return {
    id: `item_${i}`, title: pick(r, ["Shirt", "Mug", "Hat"]), product_id: maybe(r, 0.9, () => `prod_${int(r, 1, 5)}`, null),
    variant_id: maybe(r, 0.9, () => `variant_${int(r, 1, 9)}`, null), sku: maybe(r, 0.8, () => pick(r, ["SKU-1", "SKU-2", "SKU-3"]), null),
    collection_id: maybe(r, 0.6, () => pick(r, ["pcol_1", "pcol_2"]), null), type: maybe(r, 0.6, () => pick(r, ["shirt", "mug"]), null),
    type_id: maybe(r, 0.6, () => "ptyp_1", null), tags: some(r, ["sale", "new", "gold"], 3), quantity, unit_price, subtotal,
    discount_total, total: subtotal - discount_total,
  }
}

/** A random order and its customer, amounts in minor units. */
export function randomAccrualFacts(r: Random): AccrualFacts {
  const items = Array.from({ length: int(r, 0, 5) }, (_, i) => lineItem(r, i))
  const subtotal = items.reduce((s, i) => s + i.subtotal, 0)
  const discount_total = items.reduce((s, i) => s + i.discount_total, 0)
  const shipping_total = pick(r, [0, 500, 1000])
  const tax_total = Math.floor((subtotal - discount_total) * pick(r, [0, 10, 20]) / 100)
  const currency_code = pick(r, ["usd", "eur", "jpy"])
  return {
    order: {
      id: `order_${int(r, 1, 1e9)}`, subtotal, discount_total, shipping_total, tax_total,
      total: subtotal - discount_total + shipping_total + tax_total, gift_card_total: pick(r, [0, 0, 0, 1000]),
      currency_code, currency_decimals: currency_code === "jpy" ? 0 : 2, region_id: pick(r, ["reg_1", "reg_2"]),
      sales_channel_id: maybe(r, 0.8, () => "sc_1", null), items, created_at: new Date(Date.UTC(2026, int(r, 0, 11), int(r, 1, 28))).toISOString(),
    },
    customer: {
      id: `cus_${int(r, 1, 1e6)}`, email: pick(r, ["a@example.com", "b@example.com"]), group_ids: some(r, ["cgrp_vip", "cgrp_staff"], 2),
      created_at: "2025-01-01T00:00:00.000Z", orders_count: pick(r, [0, 0, 1, 2, 5, 10, 50]), points_balance: int(r, -100, 20000),
      points_lifetime: int(r, 0, 50000), tier: pick(r, [null, "bronze", "silver", "gold", "platinum"]),
    },
  }
}

/** Random member facts for tiers and promotions rules. */
export function randomMemberFacts(r: Random): MemberFacts {
  return {
    customer_id: `cus_${int(r, 1, 1e6)}`, points_lifetime: pick(r, [0, 999, 1000, 5000, 10000, int(r, 0, 30000)]),
    points_balance: int(r, -100, 20000), tier: pick(r, [null, "bronze", "silver", "gold", "platinum"]), orders_count: int(r, 0, 60),
    points_last_365d: int(r, -500, 20000), spend_last_365d_minor: int(r, 0, 500000), group_ids: some(r, ["cgrp_vip", "cgrp_staff"], 2),
    created_at: "2025-01-01T00:00:00.000Z",
  }
}

const OPERATORS_FOR = (value: PathValue): readonly Operator[] => {
  if (value.kind === "list") return ["contains", "doesNotContain"]
  if (value.type === "number") return ["equal", "notEqual", "lessThan", "lessThanInclusive", "greaterThan", "greaterThanInclusive", "in", "notIn"]
  return ["equal", "notEqual", "in", "notIn"]
}

function scalarValue(r: Random, type: ScalarType, nullable: boolean): Primitive {
  return nullable && r() < 0.1 ? null : pick(r, LIST_VALUES(type))
}

/** One valid leaf on `fact`: a catalogue path (item indexes sometimes concrete), an operator and a value that fit. */
function randomLeaf(r: Random, fact: FactName): ConditionNode {
  for (;;) {
    const path = pick(r, knownPaths(fact)).replace("[*]", () => (r() < 0.3 ? `[${int(r, 0, 2)}]` : "[*]"))
    const checked = checkFactPath(fact, path)
    if (!checked.ok) continue
    const target = checked.value
    const operator = pick(r, OPERATORS_FOR(target))
    if (target.kind === "list") return { fact, path, operator, value: scalarValue(r, target.element, target.element_nullable) }
    if (operator === "in" || operator === "notIn") {
      return { fact, path, operator, value: Array.from({ length: int(r, 1, 4) }, () => scalarValue(r, target.type, target.nullable)) }
    }
    const numeric = operator !== "equal" && operator !== "notEqual"
    return { fact, path, operator, value: numeric ? pick(r, POOLS.number) : scalarValue(r, target.type, target.nullable) }
  }
}

function randomNode(r: Random, facts: readonly FactName[], depth: number): ConditionNode {
  if (depth >= 3 || r() < 0.55) return randomLeaf(r, pick(r, facts))
  return randomGroup(r, facts, depth)
}

function randomGroup(r: Random, facts: readonly FactName[], depth: number): TopLevelCondition {
  const kind = pick(r, ["all", "all", "any", "not"] as const)
  if (kind === "not") return { not: randomNode(r, facts, depth + 1) }
  const children = Array.from({ length: int(r, kind === "any" ? 1 : 0, 4) }, () => randomNode(r, facts, depth + 1))
  return kind === "all" ? { all: children } : { any: children }
}

/** A random top-level condition over `facts` (nested up to 3 groups deep). */
export function randomCondition(r: Random, facts: readonly FactName[]): TopLevelCondition {
  return randomGroup(r, facts, 0)
}

/** The text of an accrual rule file with `count` random rules of every event type (valid by construction). */
export function randomAccrualFile(r: Random, count: number): string {
  const rules = Array.from({ length: count }, (_, i) => ({
    name: `rule-${String(i).padStart(3, "0")}`,
    priority: int(r, 1, 10),
    conditions: randomCondition(r, ["order", "customer"]),
    event: randomEvent(r),
  }))
  return JSON.stringify({ kind: "accrual", rules }, null, 2)
}

function randomEvent(r: Random): unknown {
  switch (pick(r, ["points_per_amount", "points_per_amount", "fixed_bonus", "multiplier", "cap"] as const)) {
    case "points_per_amount":
      return { type: "points_per_amount", params: { points: int(r, 1, 5), per_minor: pick(r, [1, 100, 1000]), amount: pick(r, ["subtotal", "total", "subtotal_minus_discount"]) } }
    case "fixed_bonus":
      return { type: "fixed_bonus", params: { points: int(r, 1, 500) } }
    case "multiplier":
      return { type: "multiplier", params: { factor: pick(r, [0.5, 1.25, 1.5, 2, 3]) } }
    case "cap":
      return { type: "cap", params: { max_points: int(r, 0, 10000) } }
  }
}
