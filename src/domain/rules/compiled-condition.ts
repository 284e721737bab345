/**
 * Conditions compiled to plain functions. json-rules-engine is the reference semantics (tests/unit/
 * evaluator-differential.test.ts proves identical decisions on random orders and random rules); this module
 * re-implements exactly the part of it our validated rule files can use — all/any/not groups and the ten default
 * operators with their fact-value validators — without the Engine's per-run setup (almanac, rule objects, promise
 * chains, event emitters), which is where json-rules-engine spends its time when a fresh Engine is built per order.
 */
import type { ConditionNode, Operator, Primitive } from "./condition"
import { parseFactPath, resolveSegments, type PathSegment } from "./fact-catalogue"

/** The named facts of one evaluation: { order, customer } for accrual, { member } for tiers and promotions. */
export type FactMap = Readonly<Record<string, unknown>>
export type Predicate = (facts: FactMap) => boolean

type Comparison = (fact_value: any, value: any) => boolean // eslint-disable-line @typescript-eslint/no-explicit-any

/** json-rules-engine's `numberValidator`, verbatim: a fact that does not parse as a number fails numeric operators. */
const isNumberLike = (fact_value: unknown): boolean => Number.parseFloat(fact_value as string).toString() !== "NaN"

/** json-rules-engine 7.3.1 engine-default-operators.js: callback and fact-value validator of each operator. */
const OPERATOR_FUNCTIONS: Record<Operator, Comparison> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  in: (a, b) => b.indexOf(a) > -1,
  notIn: (a, b) => b.indexOf(a) === -1,
  contains: (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
  doesNotContain: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
  lessThan: (a, b) => isNumberLike(a) && a < b,
  lessThanInclusive: (a, b) => isNumberLike(a) && a <= b,
  greaterThan: (a, b) => isNumberLike(a) && a > b,
  greaterThanInclusive: (a, b) => isNumberLike(a) && a >= b,
}

const cache = new WeakMap<object, Predicate>()

/**
 * The predicate of a validated top-level condition, compiled once per condition object (rulebooks are frozen, so a
 * WeakMap keyed by the object is a per-rulebook cache that goes away with the rulebook).
 * Invariants: pure and synchronous; same decision as json-rules-engine 7.3.1 with our path resolver; an undefined
 * fact throws as the Engine does with `allowUndefinedFacts: false`. One difference no validated rulebook can reach:
 * groups short-circuit child by child, where the Engine evaluates a whole priority set, so an undefined fact after
 * a deciding sibling throws there and not here (the validator admits only the facts each file kind provides).
 */
export function compiledPredicate(condition: ConditionNode): Predicate {
  let predicate = cache.get(condition)
  if (predicate === undefined) {
    predicate = compileNode(condition)
    cache.set(condition, predicate)
  }
  return predicate
}

function compileNode(node: ConditionNode): Predicate {
  if ("all" in node) return every(node.all.map(compileNode))
  if ("any" in node) return some(node.any.map(compileNode))
  if ("not" in node) {
    const inner = compileNode(node.not)
    return (facts) => !inner(facts)
  }
  return compileLeaf(node.fact, node.path, node.operator, node.value)
}

/** Empty `all` and empty `any` are both true in json-rules-engine (prioritizeAndRun of no conditions). */
function every(children: Predicate[]): Predicate {
  if (children.length === 0) return () => true
  if (children.length === 1) return children[0] // a group of one decides as its child: one call less per evaluation
  return (facts) => {
    for (const child of children) if (!child(facts)) return false
    return true
  }
}

function some(children: Predicate[]): Predicate {
  if (children.length === 0) return () => true
  if (children.length === 1) return children[0]
  return (facts) => {
    for (const child of children) if (child(facts)) return true
    return false
  }
}

function compileLeaf(fact: string, path: string | undefined, operator: Operator, value: Primitive | Primitive[]): Predicate {
  const compare = OPERATOR_FUNCTIONS[operator]
  if (compare === undefined) throw new Error(`Unknown operator: ${operator}`)
  if (typeof value === "object" && value !== null && !Array.isArray(value)) throw new Error("fact references as values are not supported")
  const read = factReader(fact, path)
  return (facts) => compare(read(facts), value)
}

function factReader(fact: string, path: string | undefined): (facts: FactMap) => unknown {
  const own = onlyOwn(fact)
    ? (facts: FactMap): unknown => {
      const value = facts[fact]
      if (value === undefined && !hasOwn(facts, fact)) throw new Error(`Undefined fact: ${fact}`)
      return value
    }
    : (facts: FactMap): unknown => {
      if (!hasOwn(facts, fact)) throw new Error(`Undefined fact: ${fact}`)
      return facts[fact]
    }
  if (!path) return own // json-rules-engine: no (or an empty) path compares the whole fact
  const segments = parseFactPath(path)
  const access = segments === undefined ? () => undefined : compilePath(segments)
  return (facts) => {
    const value = own(facts)
    // json-rules-engine's almanac resolves a path only on an object fact; any other fact value is compared whole.
    return value !== null && typeof value === "object" ? access(value) : value
  }
}

type Access = (value: unknown) => unknown

/**
 * A path as one closure per segment, so evaluation does no parsing and no per-segment dispatch. Same results as
 * resolveSegments (the catalogue's resolver): own properties only, `[*]` yields a flat list, absent → undefined.
 * Paths with two `[*]` (none in the catalogue today) fall back to resolveSegments.
 */
function compilePath(segments: readonly PathSegment[]): Access {
  const wildcards = segments.filter((s) => "wildcard" in s).length
  if (wildcards > 1) return (value) => resolveSegments(value, segments)
  if (wildcards === 1) {
    const at = segments.findIndex((s) => "wildcard" in s)
    return perItem(plainPath(segments.slice(0, at)), segments.slice(at + 1).map(stepOf))
  }
  return plainPath(segments)
}

/** `prefix[*]suffix`: the suffix of every item of the prefix's list, flattened one level, absent values dropped. */
function perItem(prefix: Access, suffix: Access[]): Access {
  return (value) => {
    const list = prefix(value)
    if (!Array.isArray(list)) return undefined
    const out: unknown[] = []
    for (const item of list) {
      let v: unknown = item
      for (const step of suffix) {
        v = step(v)
        if (v === undefined) break
      }
      if (v === undefined) continue
      if (Array.isArray(v)) out.push(...v)
      else out.push(v)
    }
    return out
  }
}

function stepOf(s: PathSegment): Access {
  return "index" in s ? indexStep(s.index) : propStep((s as { prop: string }).prop)
}

function plainPath(segments: readonly PathSegment[]): Access {
  if (segments.length === 0) return (value) => value
  const steps: Access[] = segments.map(stepOf)
  if (steps.length === 1) return steps[0]
  if (steps.length === 2) {
    const [a, b] = steps
    return (value) => {
      const first = a(value)
      return first === undefined ? undefined : b(first)
    }
  }
  return (value) => {
    let current = value
    for (const step of steps) {
      current = step(current)
      if (current === undefined) return undefined
    }
    return current
  }
}

function propStep(prop: string): Access {
  if (onlyOwn(prop)) return (value) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[prop] : undefined)
  return (value) => (value !== null && typeof value === "object" && hasOwn(value, prop) ? (value as Record<string, unknown>)[prop] : undefined)
}

function indexStep(index: number): Access {
  return (value) => (Array.isArray(value) ? value[index] : undefined)
}

/**
 * Whether a plain load `value[name]` can only find an own property of plain data — objects and arrays with the
 * standard prototypes (or none), which is what facts are (facts.ts) — so that it reads the same as the explicit
 * own-property check at a fraction of its cost (a hasOwnProperty call with a per-leaf key is most of a leaf's time).
 * True for every catalogue name; false for any name a standard prototype defines (constructor, __proto__, toString,
 * length, map, …): those keep the explicit check, so a path can never reach a prototype's member.
 */
export function onlyOwn(name: string): boolean {
  return !(name in Object.prototype) && !(name in Array.prototype)
}

function hasOwn(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key)
}
