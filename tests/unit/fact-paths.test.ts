import { checkFactPath, knownPaths, resolveFactPath } from "../../src/domain/rules/fact-catalogue"
import { evaluateAccrual } from "../../src/domain/program/accrual"
import { facts, item, rule, rulebookOf } from "./support/rule-files"

describe("checkFactPath: what a catalogue path yields", () => {
  it.each([
    ["order", "$.subtotal", { kind: "scalar", type: "number", nullable: false }],
    ["order", "$.sales_channel_id", { kind: "scalar", type: "string", nullable: true }],
    ["order", "$.items.length", { kind: "scalar", type: "number", nullable: false }],
    ["order", "$.items[0].sku", { kind: "scalar", type: "string", nullable: true }],
    ["order", "$.items[0].quantity", { kind: "scalar", type: "number", nullable: true }],
    ["order", "$.items[*].sku", { kind: "list", element: "string", element_nullable: true, per_item: true }],
    ["order", "$.items[*].tags", { kind: "list", element: "string", element_nullable: false, per_item: true }],
    ["order", "$.items[0].tags", { kind: "list", element: "string", element_nullable: false, per_item: false }],
    ["customer", "$.group_ids", { kind: "list", element: "string", element_nullable: false, per_item: false }],
    ["customer", "$.group_ids.length", { kind: "scalar", type: "number", nullable: false }],
    ["customer", "$.tier", { kind: "scalar", type: "string", nullable: true }],
    ["member", "$.tier", { kind: "scalar", type: "string", nullable: true }],
    ["member", "$.points_last_365d", { kind: "scalar", type: "number", nullable: false }],
    ["member", "$.group_ids", { kind: "list", element: "string", element_nullable: false, per_item: false }],
  ] as const)("%s %s is valid", (fact, path, value) => {
    expect(checkFactPath(fact, path)).toEqual({ ok: true, value })
  })

  it.each([
    ["order", "$.items", /list of line items itself/],
    ["order", "$.items[*]", /pick a line item field/],
    ["order", "$.subtotal.cents", /nothing can follow it/],
    ["order", "$.items[*].tags.length", /list of strings/],
    ["order", "$..tags", /not supported/],
    ["order", "$['subtotal']", /not supported/],
    ["customer", "$.constructor", /unknown field 'constructor'/],
    ["customer", "$.__proto__", /unknown field '__proto__'/],
  ] as const)("%s %s is rejected", (fact, path, message) => {
    const result = checkFactPath(fact, path)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.message).toMatch(message)
  })

  it("offers every member field of facts.ts as a path", () => {
    expect(knownPaths("member")).toEqual([
      "$.customer_id", "$.points_lifetime", "$.points_balance", "$.tier", "$.orders_count", "$.points_last_365d",
      "$.spend_last_365d_minor", "$.group_ids", "$.group_ids.length", "$.created_at",
    ])
  })

  it("offers every field of facts.ts as a path", () => {
    expect(knownPaths("customer")).toEqual([
      "$.id", "$.email", "$.group_ids", "$.group_ids.length", "$.created_at", "$.orders_count", "$.points_balance",
      "$.points_lifetime", "$.tier",
    ])
  })
})

describe("resolveFactPath: the engine's path resolver", () => {
  const order = { items: [{ sku: "A", tags: ["sale", "new"] }, { sku: null, tags: ["x"] }], subtotal: 5 }
  it.each([
    ["$.subtotal", 5],
    ["$.items.length", 2],
    ["$.items[1].sku", null],
    ["$.items[5].sku", undefined],
    ["$.items[*].sku", ["A", null]],
    ["$.items[*].tags", ["sale", "new", "x"]],
    ["$.items[0].tags.length", 2],
    ["$.constructor", undefined],
    ["$.missing", undefined],
    ["not a path", undefined],
  ])("%s → %j", (path, expected) => {
    expect(resolveFactPath(order, path)).toEqual(expected)
  })

  it("returns an empty list for [*] over no items", () => {
    expect(resolveFactPath({ items: [] }, "$.items[*].tags")).toEqual([])
  })
})

describe("list paths work in the real json-rules-engine", () => {
  const bonusWhen = (condition: Record<string, unknown>) =>
    rulebookOf(rule({ name: "bonus", conditions: { all: [{ fact: "order", ...condition }] }, event: { type: "fixed_bonus", params: { points: 7 } } }))

  it.each([
    ["any item tagged sale (one item)", { path: "$.items[*].tags", operator: "contains", value: "sale" }, [item({ tags: ["sale"] })], 7],
    ["any item tagged sale (two items)", { path: "$.items[*].tags", operator: "contains", value: "sale" }, [item({ tags: ["x"] }), item({ tags: ["new", "sale"] })], 7],
    ["no item tagged sale", { path: "$.items[*].tags", operator: "contains", value: "sale" }, [item({ tags: ["x"] })], 0],
    ["no items at all", { path: "$.items[*].tags", operator: "doesNotContain", value: "sale" }, [], 7],
    ["any item with a sku (one item)", { path: "$.items[*].sku", operator: "contains", value: "A" }, [item({ sku: "A" })], 7],
    ["item count", { path: "$.items.length", operator: "greaterThanInclusive", value: 2 }, [item(), item()], 7],
    ["first item quantity", { path: "$.items[0].quantity", operator: "greaterThan", value: 1 }, [item({ quantity: 2 })], 7],
    ["absent first item", { path: "$.items[0].quantity", operator: "greaterThan", value: 1 }, [], 0],
  ])("%s", async (_label, condition, items, expected) => {
    const result = evaluateAccrual(bonusWhen(condition), facts({ items }))
    expect(result.points).toBe(expected)
  })
})
