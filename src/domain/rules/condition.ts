/**
 * Conditions in json-rules-engine syntax — `{ all: [...] }`, `{ any: [...] }`, `{ not: {...} }` groups and
 * `{ fact, path, operator, value }` leaves — checked node by node so every problem gets its own pointer and a
 * message that names the fix: structure (zod, strict), known facts and paths, operators, and value types.
 */
import { z } from "zod"
import { ACCRUAL_FACT_NAMES, checkFactPath, describePathValue, FACT_NAMES, type FactName, type PathValue } from "./fact-catalogue"
import { unknownKeyError } from "./rule-issues"
import { closestMatch } from "./text-distance"

/** json-rules-engine's default operators, and only those (no decorators, no custom operators). */
export const OPERATORS = [
  "equal", "notEqual", "lessThan", "lessThanInclusive", "greaterThan", "greaterThanInclusive",
  "in", "notIn", "contains", "doesNotContain",
] as const
export type Operator = (typeof OPERATORS)[number]

const NUMERIC_OPERATORS: readonly string[] = ["lessThan", "lessThanInclusive", "greaterThan", "greaterThanInclusive"]

/** Deeper trees are a mistake or an attack, not a loyalty program. */
export const MAX_CONDITION_DEPTH = 16
export const MAX_CONDITION_CHILDREN = 100
export const MAX_VALUE_LIST = 1000
export const MAX_STRING_LENGTH = 1000

export type Primitive = string | number | boolean | null
export interface ConditionLeaf {
  fact: string
  operator: Operator
  value: Primitive | Primitive[]
  path?: string
  name?: string
  priority?: number
}
export type ConditionGroup =
  | { all: ConditionNode[]; name?: string; priority?: number }
  | { any: ConditionNode[]; name?: string; priority?: number }
  | { not: ConditionNode; name?: string; priority?: number }
export type ConditionNode = ConditionLeaf | ConditionGroup
/** json-rules-engine requires a group at the top of a rule. */
export type TopLevelCondition = ConditionGroup

type Path = Array<string | number>
/** A problem found in a condition: our own message, or a zod structure issue passed through for uniform formatting. */
export type ConditionProblem =
  | { path: Path; message: string; hint?: string }
  | { path: Path; zod: z.core.$ZodIssue }

const GROUP_KEYS = ["all", "any", "not"] as const
const LEAF_KEYS = ["fact", "path", "operator", "value", "name", "priority"]
const optionalMeta = {
  name: z.string().max(100).optional(),
  priority: z.number().int().min(1).max(1000).optional(),
}
const strict = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape, { error: unknownKeyError(Object.keys(shape)) })
const childList = z.array(z.unknown()).max(MAX_CONDITION_CHILDREN)
const GROUP_SCHEMAS = {
  all: strict({ all: childList, ...optionalMeta }),
  any: strict({ any: childList, ...optionalMeta }),
  not: strict({ not: z.unknown(), ...optionalMeta }),
}
const LEAF_SCHEMA = strict({
  fact: z.string(),
  path: z.string().max(200).optional(),
  operator: z.string(),
  value: z.unknown(),
  ...optionalMeta,
})

/**
 * Every problem of a rule's top-level condition (empty when valid), paths relative to the condition. `facts` are the
 * facts the file kind provides (accrual: order and customer; tiers and promotions: member).
 * Invariant: never throws; each node is checked once; depth beyond {@link MAX_CONDITION_DEPTH} stops the descent.
 */
export function checkTopLevelCondition(input: unknown, facts: readonly FactName[] = ACCRUAL_FACT_NAMES): ConditionProblem[] {
  const problems: ConditionProblem[] = []
  if (isObject(input) && !GROUP_KEYS.some((k) => hasOwn(input, k)) && (hasOwn(input, "fact") || hasOwn(input, "operator"))) {
    problems.push({ path: [], message: "conditions must start with a group: \"all\", \"any\" or \"not\"", hint: "wrap the condition: { \"all\": [ { \"fact\": ... } ] }" })
    return problems
  }
  checkNode(input, [], 1, facts, problems)
  return problems
}

function checkNode(input: unknown, path: Path, depth: number, facts: readonly FactName[], problems: ConditionProblem[]): void {
  if (depth > MAX_CONDITION_DEPTH) {
    problems.push({ path, message: `conditions are nested more than ${MAX_CONDITION_DEPTH} levels deep`, hint: "flatten the groups: all/any accept many conditions" })
    return
  }
  if (!isObject(input)) {
    problems.push({ path, message: `a condition must be an object, got ${Array.isArray(input) ? "a list" : input === null ? "null" : typeof input}`, hint: "e.g. { \"fact\": \"order\", \"path\": \"$.subtotal\", \"operator\": \"greaterThan\", \"value\": 0 }" })
    return
  }
  const groups = GROUP_KEYS.filter((k) => hasOwn(input, k))
  if (groups.length > 1) {
    problems.push({ path, message: `a condition has exactly one of "all", "any", "not"; this one has ${groups.map((g) => `"${g}"`).join(" and ")}`, hint: "nest them: { \"all\": [ { \"any\": [...] }, ... ] }" })
    return
  }
  if (groups.length === 1) return checkGroup(input, groups[0], path, depth, facts, problems)
  if (!LEAF_KEYS.some((k) => hasOwn(input, k))) {
    const near = Object.keys(input).map((k) => closestMatch(k, GROUP_KEYS)).find((m) => m !== undefined)
    problems.push({ path, message: "a condition is either a group (\"all\", \"any\", \"not\") or a leaf (\"fact\", \"path\", \"operator\", \"value\")", hint: near ? `did you mean "${near}"?` : undefined })
    return
  }
  checkLeaf(input, path, facts, problems)
}

function checkGroup(input: Record<string, unknown>, kind: (typeof GROUP_KEYS)[number], path: Path, depth: number, facts: readonly FactName[], problems: ConditionProblem[]): void {
  const parsed = GROUP_SCHEMAS[kind].safeParse(input, { reportInput: true })
  if (!parsed.success) problems.push(...fromZod(parsed.error.issues, path))
  const children = input[kind]
  if (kind === "any" && Array.isArray(children) && children.length === 0) {
    problems.push({ path: [...path, "any"], message: "an empty 'any' is ambiguous: json-rules-engine counts it as true, so the rule would fire on every order", hint: "add a condition, or use { \"all\": [] } for a rule that always fires" })
  }
  if (kind === "not") return checkNode(children, [...path, "not"], depth + 1, facts, problems)
  if (!Array.isArray(children) || children.length > MAX_CONDITION_CHILDREN) return
  children.forEach((child, i) => checkNode(child, [...path, kind, i], depth + 1, facts, problems))
}

function checkLeaf(input: Record<string, unknown>, path: Path, facts: readonly FactName[], problems: ConditionProblem[]): void {
  const parsed = LEAF_SCHEMA.safeParse(input, { reportInput: true })
  if (!parsed.success) problems.push(...fromZod(parsed.error.issues, path))
  const before = problems.length
  if (!hasOwn(input, "value")) problems.push({ path: [...path, "value"], message: "the condition has no \"value\"", hint: "add \"value\": the value to compare with" })
  else checkValueShape(input.value, [...path, "value"], problems)
  const fact = typeof input.fact === "string" ? checkFact(input.fact, path, facts, problems) : undefined
  const operator = typeof input.operator === "string" ? checkOperator(input.operator, path, problems) : undefined
  if (!parsed.success || problems.length > before || fact === undefined || operator === undefined) return
  const pathValue = checkPath(fact, input.path, path, problems)
  if (pathValue) checkOperands(operator, pathValue, input.value as Primitive | Primitive[], input.path as string, path, problems)
}

function checkFact(fact: string, path: Path, facts: readonly FactName[], problems: ConditionProblem[]): FactName | undefined {
  if ((facts as readonly string[]).includes(fact)) return fact as FactName
  const listed = facts.map((f) => `"${f}"`).join(", ")
  // A real fact in the wrong kind of file is a different mistake from a typo: say which files read it.
  if ((FACT_NAMES as readonly string[]).includes(fact)) {
    problems.push({ path: [...path, "fact"], message: `fact "${fact}" is not available in this kind of rule file; the facts here are ${listed}`, hint: FACT_SCOPE_HINT })
    return undefined
  }
  const match = closestMatch(fact, facts)
  problems.push({ path: [...path, "fact"], message: `unknown fact "${fact}"; the facts are ${listed}`, hint: match ? `did you mean "${match}"?` : "see rules/README.md for every fact and path" })
  return undefined
}

const FACT_SCOPE_HINT = "accrual rules read \"order\" and \"customer\"; tiers and promotions read \"member\""

function checkOperator(operator: string, path: Path, problems: ConditionProblem[]): Operator | undefined {
  if ((OPERATORS as readonly string[]).includes(operator)) return operator as Operator
  const match = closestMatch(operator, OPERATORS)
  problems.push({
    path: [...path, "operator"],
    message: match ? `unknown operator '${operator}', did you mean '${match}'?` : `unknown operator '${operator}'`,
    hint: `operators: ${OPERATORS.join(", ")}`,
  })
  return undefined
}

function checkPath(fact: FactName, rawPath: unknown, path: Path, problems: ConditionProblem[]): PathValue | undefined {
  if (rawPath === undefined) {
    problems.push({ path, message: `fact "${fact}" is an object: the condition needs a "path" to one of its fields`, hint: fact === "order" ? "e.g. \"path\": \"$.subtotal\"" : "e.g. \"path\": \"$.orders_count\"" })
    return undefined
  }
  const checked = checkFactPath(fact, rawPath as string)
  if (checked.ok) return checked.value
  problems.push({ path: [...path, "path"], message: checked.message, hint: checked.hint ? (checked.hint.startsWith("$") ? `did you mean '${checked.hint}'?` : checked.hint) : undefined })
  return undefined
}

function checkValueShape(value: unknown, path: Path, problems: ConditionProblem[]): void {
  const bad = (message: string, hint?: string) => problems.push({ path, message, hint })
  if (Array.isArray(value)) {
    if (value.length > MAX_VALUE_LIST) return void bad(`the value list has ${value.length} entries; at most ${MAX_VALUE_LIST} are allowed`)
    const index = value.findIndex((v) => !isPrimitive(v))
    if (index >= 0) problems.push({ path: [...path, index], message: "a value list holds only strings, numbers, booleans or null" })
    return
  }
  if (isObject(value)) return void bad("the value must be a string, number, boolean, null or a list of those; comparing with another fact is not supported")
  if (!isPrimitive(value)) return void bad(`the value must be a string, number, boolean, null or a list of those`)
}

function isPrimitive(value: unknown): boolean {
  if (value === null || typeof value === "boolean") return true
  if (typeof value === "string") return value.length <= MAX_STRING_LENGTH
  return typeof value === "number" && Number.isFinite(value)
}

/** Operator ↔ path ↔ value compatibility: catches rules that could never match as written. */
function checkOperands(operator: Operator, target: PathValue, value: Primitive | Primitive[], factPath: string, path: Path, problems: ConditionProblem[]): void {
  const at = (message: string, hint?: string, key = "value"): void => void problems.push({ path: [...path, key], message, hint })
  const yields = `'${factPath}' yields ${describePathValue(target)}`
  if (target.kind === "list") {
    if (operator === "contains" || operator === "doesNotContain") {
      if (Array.isArray(value)) return at(`'${operator}' tests one value; got a list`, `write one value, or combine conditions with "any"`)
      return checkScalarType(value, target.element, target.element_nullable, factPath, at)
    }
    return at(`${yields}; '${operator}' cannot test a list`, target.per_item
      ? `use 'contains' / 'doesNotContain' to ask whether any line item has a value, or '${factPath.replace("[*]", "[0]")}' for one item`
      : "use 'contains' / 'doesNotContain', or '.length' to compare the size", "operator")
  }
  if (operator === "contains" || operator === "doesNotContain") {
    return at(`${yields}; '${operator}' needs a list path such as '$.group_ids' or '$.items[*].sku'`, "to compare one value use 'equal', or 'in' with a list value", "operator")
  }
  if (NUMERIC_OPERATORS.includes(operator)) {
    if (target.type !== "number" && target.type !== "any") return at(`${yields}; '${operator}' compares numbers`, "use 'equal', 'notEqual', 'in' or 'notIn'", "operator")
    if (typeof value !== "number") return at(`'${operator}' needs a number value, got ${JSON.stringify(value)}`, typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? `write ${Number(value)} without quotes` : undefined)
    return
  }
  if (operator === "in" || operator === "notIn") {
    if (!Array.isArray(value)) return at(`'${operator}' needs a list value, e.g. ["gold", "platinum"]`, `wrap it: [${JSON.stringify(value)}], or use '${operator === "in" ? "equal" : "notEqual"}'`)
    value.forEach((v, i) => checkScalarType(v, target.type, target.nullable, factPath, (m, h) => void problems.push({ path: [...path, "value", i], message: m, hint: h })))
    return
  }
  if (Array.isArray(value)) return at(`'${operator}' compares with one value; got a list`, `use '${operator === "equal" ? "in" : "notIn"}' to compare with several values`)
  checkScalarType(value, target.type, target.nullable, factPath, at)
}

function checkScalarType(value: Primitive, type: string, nullable: boolean, factPath: string, report: (message: string, hint?: string) => void): void {
  if (type === "any") return
  if (value === null) {
    if (!nullable) report(`'${factPath}' is never null`, "compare with a " + type)
    return
  }
  if (typeof value === type) return
  const hint = type === "number" && typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))
    ? `write ${Number(value)} without quotes`
    : type === "string" && typeof value !== "string" ? `write it in quotes: "${String(value)}"` : undefined
  report(`'${factPath}' is a ${type}${nullable ? " (or null)" : ""}; the value ${JSON.stringify(value)} is a ${typeof value} and can never match`, hint)
}

function fromZod(issues: readonly z.core.$ZodIssue[], prefix: Path): ConditionProblem[] {
  return issues.map((issue) => ({ path: [...prefix, ...(issue.path as Path)], zod: issue }))
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

function hasOwn(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key)
}
