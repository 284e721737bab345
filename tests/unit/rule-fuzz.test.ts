/**
 * Robustness: a seeded, deterministic mutator applies thousands of mutations to every shipped rule file (wrong
 * types, unknown and removed keys, broken JSON, huge numbers, 10,000-level nesting, prototype keys, unicode, empty
 * strings, array/object swaps). Whatever the text, compileRulebook answers (never throws) with well-formed issues
 * or a rulebook that evaluates a sample order without throwing, and Object.prototype stays clean.
 */
import fs from "fs"
import path from "path"
import { evaluateAccrual } from "../../src/domain/program/accrual"
import { eligiblePromotions } from "../../src/domain/program/promotions"
import { compileRulebook, type RuleFileIssue } from "../../src/domain/rules/rulebook"
import { evaluateTier } from "../../src/domain/program/tiers"
import { referenceFiredNames } from "../../src/domain/rules/reference-engine"
import { prng } from "../support/random-rules"
import { facts, member, REPO } from "./support/rule-files"

const MUTATIONS_PER_FILE = 1000

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Path = Array<string | number>

const DEEP = 10_000
const deepConditions = `${'{"all":['.repeat(DEEP)}{"fact":"order","path":"$.subtotal","operator":"greaterThan","value":0}${"]}".repeat(DEEP)}`
/** Raw JSON texts injected as values (some cannot be built as JS values without side effects: __proto__ keys). */
const RAW_VALUES = [
  "1e308", "-1e308", String(2 ** 53), String(-(2 ** 53)), "1e-308", "-0", "0.1", "12345678901234567890123", "1e999",
  '""', '" "', '"💥🎉"', '"\\u0000"', '"\\u202eevil"', '"é"', '"𝔘𝔫𝔦𝔠𝔬𝔡𝔢"', `"${"x".repeat(5000)}"`,
  "true", "false", "null", "[]", "{}", "[[]]", '{"":""}', "[null]", '["all"]', '{"all":[]}', '{"any":[]}', '{"not":{}}',
  '{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '{"prototype":{"polluted":"yes"}}',
  deepConditions, `${"[".repeat(DEEP)}${"]".repeat(DEEP)}`,
]
const ODD_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "", "💥", "naem", "kind ", "$schema", "rules", "valueOf"]
const INSERTS = ["{", "}", "[", "]", ",", ":", '"', "\\", "\u0000", "\n", "💥", "e", "-", "0", "/*", "\ufeff", "NaN", "Infinity", "undefined"]

function nodes(value: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at)
  if (Array.isArray(value)) value.forEach((v, i) => nodes(v, [...at, i], out))
  else if (value !== null && typeof value === "object") for (const k of Object.keys(value)) nodes(value[k], [...at, k], out)
  return out
}

function get(value: Json, at: Path): Json {
  return at.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k], value)
}

/** Replaces the node at `at` by raw JSON text (placeholder in the serialized tree). */
function withRaw(value: Json, at: Path, raw: string): string {
  const marker = "\u0001RAW\u0001"
  if (at.length === 0) return raw
  const copy = structuredClone(value)
  const parent = get(copy, at.slice(0, -1)) as Record<string | number, Json>
  parent[at[at.length - 1]] = marker
  return JSON.stringify(copy, null, 2).replace(JSON.stringify(marker), raw)
}

function mutate(text: string, random: () => number): { text: string; kind: string } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]
  const json = JSON.parse(text) as Json
  const at = pick(nodes(json))
  const node = get(json, at)
  const parentPath = at.slice(0, -1)
  const parent = at.length ? get(json, parentPath) : undefined
  switch (Math.floor(random() * 9)) {
    case 0: // broken JSON: truncate
      return { kind: "truncate", text: text.slice(0, Math.floor(random() * text.length)) }
    case 1: { // broken JSON: insert characters
      const i = Math.floor(random() * (text.length + 1))
      return { kind: "insert", text: text.slice(0, i) + pick(INSERTS) + text.slice(i) }
    }
    case 2: { // delete a span
      const i = Math.floor(random() * text.length)
      return { kind: "delete", text: text.slice(0, i) + text.slice(i + 1 + Math.floor(random() * 20)) }
    }
    case 3: // wrong type, huge number, unicode, empty, deep nesting, prototype objects
    case 4:
      return { kind: "value", text: withRaw(json, at, pick(RAW_VALUES)) }
    case 5: { // remove a key (or an array entry)
      if (parent === undefined || parent === null || typeof parent !== "object") return { kind: "value", text: withRaw(json, at, pick(RAW_VALUES)) }
      const copy = structuredClone(json)
      const p = get(copy, parentPath) as Record<string | number, Json> | Json[]
      if (Array.isArray(p)) p.splice(at[at.length - 1] as number, 1)
      else delete p[at[at.length - 1] as string]
      return { kind: "remove", text: JSON.stringify(copy, null, 2) }
    }
    case 6: { // unknown / prototype key in an object (raw text: "__proto__" must stay a key, not a prototype)
      const target = node !== null && typeof node === "object" && !Array.isArray(node) ? at : parentPath
      const obj = get(json, target)
      if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return { kind: "value", text: withRaw(json, at, pick(RAW_VALUES)) }
      const body = JSON.stringify(obj)
      const extra = `${JSON.stringify(pick(ODD_KEYS))}:${pick(RAW_VALUES.slice(0, -2))}`
      return { kind: "key", text: withRaw(json, target, body === "{}" ? `{${extra}}` : `{${extra},${body.slice(1)}`) }
    }
    case 7: { // array <-> object swap
      if (Array.isArray(node)) return { kind: "swap", text: withRaw(json, at, JSON.stringify(Object.fromEntries(node.map((v, i) => [String(i), v])))) }
      if (node !== null && typeof node === "object") return { kind: "swap", text: withRaw(json, at, JSON.stringify(Object.values(node))) }
      return { kind: "swap", text: withRaw(json, at, JSON.stringify([node])) }
    }
    default: { // two mutations at once
      const first = mutate(text, random)
      if (first.text.length > 10_000) return first // a 10,000-level mutant is walked once, not twice (the walk is quadratic)
      try {
        JSON.parse(first.text)
        return { kind: `${first.kind}+`, text: mutate(first.text, random).text }
      } catch {
        return first
      }
    }
  }
}

const SHIPPED = [
  ...["accrual", "program", "tiers", "promotions"].map((k) => `rules/${k}.json`),
  "examples/rulebooks/seed-003/accrual.json",
]
const cache = new Map<string, string>()
const read = (rel: string): string => cache.get(rel) ?? (cache.set(rel, fs.readFileSync(path.join(REPO, rel), "utf8")), cache.get(rel)!)

/**
 * The mutant with the companions its cross-file checks need (promotions and accrual rules name tier codes, every
 * rulebook needs accrual rules). Companions are kept small (seed-003's one-rule accrual file) to keep 5,000 compiles fast.
 */
const COMPANIONS: Record<string, string[]> = {
  "rules/accrual.json": ["rules/tiers.json"],
  "rules/program.json": ["examples/rulebooks/seed-003/accrual.json"],
  "rules/tiers.json": ["examples/rulebooks/seed-003/accrual.json", "rules/promotions.json"],
  "rules/promotions.json": ["examples/rulebooks/seed-003/accrual.json", "rules/tiers.json"],
  "examples/rulebooks/seed-003/accrual.json": [],
}
function rulebookFiles(rel: string, text: string): Array<{ name: string; text: string }> {
  const companions = COMPANIONS[rel].map((c) => ({ name: path.basename(c), text: read(c) }))
  return [{ name: path.basename(rel), text }, ...companions]
}

function wellFormed(issue: RuleFileIssue, names: string[]): string | null {
  if (typeof issue.message !== "string" || issue.message.length === 0) return "no message"
  if (issue.message.startsWith("internal error")) return "internal error"
  if (typeof issue.pointer !== "string" || !(issue.pointer === "" || issue.pointer.startsWith("/"))) return "bad pointer"
  if (typeof issue.file !== "string") return "no file"
  if (issue.file === "" ? !issue.message.startsWith("no accrual rules") : !names.includes(issue.file)) return `unknown file "${issue.file}"`
  if (issue.message.startsWith("invalid JSON") && !(Number.isInteger(issue.line) && issue.line! >= 1 && Number.isInteger(issue.column) && issue.column! >= 1)) return "parse error without line/column"
  return null
}

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort()

describe.each(SHIPPED)("fuzzing %s", (rel) => {
  it(`survives ${MUTATIONS_PER_FILE} seeded mutations`, async () => {
    const random = prng(0x5eed + SHIPPED.indexOf(rel))
    const original = read(rel)
    const kinds: Record<string, number> = {}
    let compiled = 0
    for (let n = 0; n < MUTATIONS_PER_FILE; n++) {
      const { text, kind } = mutate(original, random)
      kinds[kind] = (kinds[kind] ?? 0) + 1
      const files = rulebookFiles(rel, text)
      let result: ReturnType<typeof compileRulebook>
      try {
        result = compileRulebook(files)
      } catch (e) {
        throw new Error(`mutation #${n} (${kind}) threw: ${(e as Error).message}\n${text.slice(0, 500)}`)
      }
      if (result.ok) {
        compiled++
        const sample = facts({}, { tier: "gold", orders_count: 0 })
        const accrual = evaluateAccrual(result.rulebook, sample)
        expect(Number.isInteger(accrual.points) && accrual.points >= 0).toBe(true)
        // Whatever compiles decides as json-rules-engine decides (the store runs compiled conditions).
        const reference = await referenceFiredNames(result.rulebook.accrual, { order: sample.order, customer: sample.customer })
        expect({ n, kind, fired: [...accrual.rule_names].sort() }).toEqual({ n, kind, fired: [...reference].sort() })
        const gold = member({ points_lifetime: 6000, tier: "gold" })
        const tier = evaluateTier(result.rulebook, gold)
        if (result.rulebook.tiers) {
          const qualified = await referenceFiredNames(result.rulebook.tiers.tiers.map((t) => ({ name: t.code, conditions: t.conditions })), { member: gold })
          expect(tier?.code).toBe(([...result.rulebook.tiers.tiers].reverse().find((t) => qualified.has(t.code)) ?? result.rulebook.tiers.tiers[0]).code)
        }
        const eligible = await referenceFiredNames(result.rulebook.promotions.map((p) => ({ name: p.code, conditions: p.conditions })), { member: gold })
        expect(eligiblePromotions(result.rulebook, gold).map((p) => p.code)).toEqual(result.rulebook.promotions.filter((p) => eligible.has(p.code)).map((p) => p.code))
      } else {
        expect(result.issues.length).toBeGreaterThan(0)
        const names = files.map((f) => f.name)
        for (const issue of result.issues) {
          const problem = wellFormed(issue, names)
          if (problem) throw new Error(`mutation #${n} (${kind}): ${problem}: ${JSON.stringify(issue).slice(0, 300)}\n${text.slice(0, 300)}`)
        }
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    }
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_KEYS)
    // The mutator really exercised every family, and some mutants still compile (so evaluation was exercised).
    expect(Object.keys(kinds).filter((k) => !k.endsWith("+")).sort()).toEqual(["delete", "insert", "key", "remove", "swap", "truncate", "value"])
    expect(compiled).toBeGreaterThan(0)
  })
})

describe("10,000 levels of nesting", () => {
  it("are refused with a positioned issue, not a stack overflow", () => {
    const text = read("rules/accrual.json").replace('"all": [\n          { "fact": "order", "path": "$.currency_decimals"', `"all": [${deepConditions},\n          { "fact": "order", "path": "$.currency_decimals"`)
    expect(text).not.toBe(read("rules/accrual.json"))
    const result = compileRulebook([{ name: "accrual.json", text }])
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues).toEqual([expect.objectContaining({ file: "accrual.json", message: "nesting deeper than 64 levels", line: 10, column: expect.any(Number) })])
    expect(result.issues[0].pointer.startsWith("/rules/0/conditions/all/0/all/0/all/0/")).toBe(true)
  })
})
