/**
 * The catalogue of facts a rule may read: `order` (with its line items) and `customer` for accrual rules, `member`
 * for tiers and promotions, one entry per field of the interfaces in facts.ts. The mapped types below make the compiler reject a catalogue that drifts from facts.ts.
 *
 * Paths use a small, fixed subset of JSONPath — `$.field`, `$.field.length`, `$.items[N].field`, `$.items[*].field`
 * — resolved by {@link resolveFactPath}, not by jsonpath-plus: jsonpath-plus (json-rules-engine's default) returns
 * `$.items[*].tags` as a list of lists, which no default operator can test. Here a `[*]` path is always a flat list.
 */
import type { ActionFacts, ActionProperty } from "./facts"
import type { CustomerFacts, LineItemFacts, MemberFacts, OrderFacts, OrderTimeFacts } from "./facts"
import { closestMatch } from "./text-distance"

/** The type of one fact field, as written in the catalogue. */
export type FieldType = "number" | "string" | "boolean" | "string|null" | "number|null" | "string[]" | "line_items" | "properties"

/** Maps a TypeScript field type of facts.ts to its catalogue type (never = unsupported: add a case first). */
type FieldTypeOf<T> = [T] extends [LineItemFacts[]] ? "line_items"
  : [T] extends [Record<string, ActionProperty>] ? [Record<string, ActionProperty>] extends [T] ? "properties" : never
  : [T] extends [string[]] ? "string[]"
  : [T] extends [number] ? "number"
  : [T] extends [string] ? "string"
  : [T] extends [boolean] ? "boolean"
  : [T] extends [string | null] ? "string|null"
  : [T] extends [number | null] ? "number|null"
  : never

type Catalogue<T> = { readonly [K in keyof Required<T>]: FieldTypeOf<T[K]> }

export const LINE_ITEM_FIELDS: Catalogue<LineItemFacts> = {
  id: "string", title: "string", product_id: "string|null", variant_id: "string|null", sku: "string|null",
  collection_id: "string|null", type: "string|null", type_id: "string|null", tags: "string[]", quantity: "number",
  unit_price: "number", subtotal: "number", discount_total: "number", total: "number",
}

/** The order's own fields plus its store-local time (OrderTimeFacts, derived at evaluation). */
export const ORDER_FIELDS: Catalogue<OrderFacts & OrderTimeFacts> = {
  id: "string", subtotal: "number", discount_total: "number", shipping_total: "number", tax_total: "number",
  total: "number", gift_card_total: "number", currency_code: "string", currency_decimals: "number",
  region_id: "string", sales_channel_id: "string|null", items: "line_items", created_at: "string",
  placed_at: "number", local_date: "string", local_weekday: "string", local_hour: "number",
}

export const CUSTOMER_FIELDS: Catalogue<CustomerFacts> = {
  id: "string", email: "string", group_ids: "string[]", created_at: "string", orders_count: "number",
  points_balance: "number", points_lifetime: "number", tier: "string|null",
}

export const MEMBER_FIELDS: Catalogue<MemberFacts> = {
  customer_id: "string", points_lifetime: "number", points_balance: "number", tier: "string|null",
  orders_count: "number", points_last_365d: "number", spend_last_365d_minor: "number", group_ids: "string[]",
  created_at: "string",
}

/** An action (action rules); `$.properties.<key>` reads the merchant's own data, of any scalar type. */
export const ACTION_FIELDS: Catalogue<ActionFacts> = {
  type: "string", reference: "string", occurred_at: "string", occurred_at_ms: "number", local_date: "string",
  local_weekday: "string", local_hour: "number", properties: "properties",
}

/** Fact name → its fields. Each rule file kind reads only the facts its evaluation provides (below). */
export const FACTS = { order: ORDER_FIELDS, customer: CUSTOMER_FIELDS, member: MEMBER_FIELDS, action: ACTION_FIELDS } as const
export type FactName = keyof typeof FACTS
/** Every fact of the catalogue, whatever the file kind. */
export const FACT_NAMES = Object.keys(FACTS) as FactName[]

/** Accrual runs on an order, so it sees the order and its customer; it never sees member aggregates. */
export const ACCRUAL_FACT_NAMES: readonly FactName[] = ["order", "customer"]
/** Tiers and promotions run on a member, outside any order: only `member` exists then. */
export const MEMBER_FACT_NAMES: readonly FactName[] = ["member"]
/** Action rules run on an action of a member: the action and the member's facts. */
export const ACTION_FACT_NAMES: readonly FactName[] = ["action", "member"]

/** "any": a property of an action, whose type only the merchant knows (any scalar value may be compared). */
export type ScalarType = "number" | "string" | "boolean" | "any"

/** What a path yields: one value, or a flat list (an array field, or one value per line item for `[*]`). */
export type PathValue =
  | { kind: "scalar"; type: ScalarType; nullable: boolean }
  | { kind: "list"; element: ScalarType; element_nullable: boolean; per_item: boolean }

export type PathSegment = { prop: string } | { index: number } | { wildcard: true }

export type PathCheck = { ok: true; value: PathValue } | { ok: false; message: string; hint?: string }

const SEGMENT = /^(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d{1,6})\]|\[\*\])/

/** Splits `$.items[0].sku` into segments, or returns undefined when the text is outside the supported grammar. */
export function parseFactPath(path: string): PathSegment[] | undefined {
  if (!path.startsWith("$")) return undefined
  const segments: PathSegment[] = []
  let rest = path.slice(1)
  while (rest.length > 0) {
    const match = SEGMENT.exec(rest)
    if (!match) return undefined
    segments.push(match[1] !== undefined ? { prop: match[1] } : match[2] !== undefined ? { index: Number(match[2]) } : { wildcard: true })
    rest = rest.slice(match[0].length)
  }
  return segments.length > 0 ? segments : undefined
}

/** Every path a fact offers, with `[*]` standing for any item index: the candidates for "did you mean". */
export function knownPaths(fact: FactName): string[] {
  const paths: string[] = []
  for (const [field, type] of Object.entries(FACTS[fact]) as Array<[string, FieldType]>) {
    if (type === "properties") {
      paths.push(`$.${field}.<key>`)
    } else if (type === "line_items") {
      paths.push(`$.${field}.length`, ...Object.keys(LINE_ITEM_FIELDS).map((f) => `$.${field}[*].${f}`))
    } else {
      paths.push(`$.${field}`)
      if (type === "string[]") paths.push(`$.${field}.length`)
    }
  }
  return paths
}

/**
 * What `path` yields on `fact`, or why it is not a valid path (with a "did you mean" hint when one is close).
 * Invariant: ok paths resolve, at run time, to a value of the returned type (or undefined for an absent index).
 */
export function checkFactPath(fact: FactName, path: string): PathCheck {
  const segments = parseFactPath(path)
  if (segments === undefined) {
    const bare = `$.${path.replace(/^\$?\.?/, "")}`
    return {
      ok: false,
      message: `path '${path}' is not supported: paths look like '$.field', '$.field.length', '$.items[0].field' or '$.items[*].field'`,
      hint: knownPaths(fact).includes(bare) ? bare : suggestPath(fact, bare) ?? `see rules/README.md for every path of '${fact}'`,
    }
  }
  const value = walk(FACTS[fact], segments)
  if (typeof value === "string") return { ok: false, message: `path '${path}' on fact '${fact}': ${value}`, hint: suggestPath(fact, path) }
  return { ok: true, value }
}

/** Walks the catalogue; returns the path's value type or a reason string. */
function walk(fields: Readonly<Record<string, FieldType>>, segments: PathSegment[]): PathValue | string {
  const [first, ...rest] = segments
  if (!("prop" in first)) return "a path starts with a field name, e.g. '$.subtotal'"
  const type = Object.prototype.hasOwnProperty.call(fields, first.prop) ? fields[first.prop] : undefined
  if (type === undefined) return `unknown field '${first.prop}'`
  if (type === "line_items") return walkItems(first.prop, rest)
  if (type === "properties") {
    const [key, ...tail] = rest
    if (key === undefined || !("prop" in key) || tail.length > 0) return `'$.${first.prop}' holds the action's properties: read one with '$.${first.prop}.<key>', e.g. '$.${first.prop}.rating'`
    return { kind: "scalar", type: "any", nullable: true }
  }
  return walkField(first.prop, type, rest, false)
}

function walkItems(name: string, rest: PathSegment[]): PathValue | string {
  const [next, field, ...tail] = rest
  if (next === undefined) return `'$.${name}' is the list of line items itself; pick a field, e.g. '$.${name}[*].sku', or '$.${name}.length'`
  if ("prop" in next) {
    return next.prop === "length" && field === undefined
      ? { kind: "scalar", type: "number", nullable: false }
      : `line items are reached with '$.${name}[*].field' or '$.${name}[0].field'`
  }
  if (field === undefined || !("prop" in field)) return `pick a line item field after '$.${name}[…]', e.g. '.sku'`
  const type = Object.prototype.hasOwnProperty.call(LINE_ITEM_FIELDS, field.prop) ? (LINE_ITEM_FIELDS as Record<string, FieldType>)[field.prop] : undefined
  if (type === undefined) return `unknown line item field '${field.prop}'`
  return walkField(field.prop, type, tail, "wildcard" in next, "index" in next)
}

function walkField(name: string, type: FieldType, rest: PathSegment[], per_item: boolean, maybe_absent = false): PathValue | string {
  const scalar = scalarOf(type)
  if (type === "string[]") {
    if (rest.length === 0) return { kind: "list", element: "string", element_nullable: false, per_item }
    const [next] = rest
    if (rest.length === 1 && "prop" in next && next.prop === "length" && !per_item) return { kind: "scalar", type: "number", nullable: maybe_absent }
    if (rest.length === 1 && "index" in next && !per_item) return { kind: "scalar", type: "string", nullable: true }
    return `'${name}' is a list of strings: test it with 'contains' / 'doesNotContain'${per_item ? "" : ", or use '.length'"}`
  }
  if (rest.length > 0 || scalar === undefined) return `'${name}' is a ${type}; nothing can follow it in the path`
  const nullable = type.endsWith("|null") || maybe_absent
  return per_item
    ? { kind: "list", element: scalar, element_nullable: nullable, per_item: true }
    : { kind: "scalar", type: scalar, nullable }
}

function scalarOf(type: FieldType): ScalarType | undefined {
  const base = type.replace("|null", "")
  return base === "number" || base === "string" || base === "boolean" ? base : undefined
}

/** The closest known path to `path` (item indexes kept as typed), or undefined. */
export function suggestPath(fact: FactName, path: string): string | undefined {
  const index = /\[(\d+)\]/.exec(path)?.[1]
  const normalized = path.replace(/\[\d+\]/g, "[*]")
  const match = closestMatch(normalized, knownPaths(fact))
  if (match === undefined || match === normalized) return undefined
  return index === undefined ? match : match.replace("[*]", `[${index}]`)
}

/** Human name of what a path yields, for error messages. */
export function describePathValue(value: PathValue): string {
  if (value.kind === "scalar") return value.nullable ? `a ${value.type} or null` : `a ${value.type}`
  return value.per_item ? `a list of ${value.element}s (one per line item)` : `a list of ${value.element}s`
}

/**
 * Resolves a catalogue path on a fact value; the engine's `pathResolver`. A `[*]` path always yields a flat list
 * (array fields such as `tags` are flattened across items); an absent field or index yields undefined.
 * Invariant: reads own properties only (never `__proto__`/`constructor` of the prototype chain); never throws.
 */
export function resolveFactPath(value: unknown, path: string): unknown {
  const segments = parseFactPath(path)
  return segments === undefined ? undefined : resolveSegments(value, segments)
}

/** {@link resolveFactPath} on an already parsed path: compiled conditions parse once, resolve per evaluation. */
export function resolveSegments(value: unknown, segments: readonly PathSegment[]): unknown {
  let current: unknown = value
  let per_item = false
  for (const segment of segments) {
    if ("wildcard" in segment) {
      current = per_item ? flatten(current) : Array.isArray(current) ? current : undefined
      per_item = true
    } else {
      current = per_item ? (Array.isArray(current) ? current.map((item) => step(item, segment)) : undefined) : step(current, segment)
    }
    if (current === undefined) return undefined
  }
  return per_item ? flatten(current) : current
}

function step(value: unknown, segment: { prop: string } | { index: number }): unknown {
  if ("index" in segment) return Array.isArray(value) ? value[segment.index] : undefined
  if (value === null || typeof value !== "object") return undefined
  return Object.prototype.hasOwnProperty.call(value, segment.prop) ? (value as Record<string, unknown>)[segment.prop] : undefined
}

function flatten(values: unknown): unknown[] {
  return Array.isArray(values) ? values.flatMap((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])) : []
}
