/**
 * The promotions file format (`"kind": "promotions"`), as zod 4 schemas: member promotions, each a Medusa discount
 * declared as data. Eligibility is a condition over member facts; Medusa's checkout enforces it through a customer
 * group per promotion (the service reconciles groups and discounts from these definitions).
 */
import { z } from "zod"
import { MEMBER_FACT_NAMES } from "./fact-catalogue"
import { conditionsOver, fileHeader, MAX_TEXT, strict } from "./schema-parts"
import { customerGroupName } from "./tier-schema"

/** Medusa discount codes are upper-case in the admin; customers type them, so keep them plain. */
export const PROMOTION_CODE_PATTERN = /^[A-Z0-9_-]{3,40}$/
export const MAX_PROMOTIONS_PER_FILE = 100
export const DISCOUNT_ALLOCATIONS = ["total", "item"] as const
export const DISCOUNT_TYPES = ["percentage", "fixed"] as const

/** Medusa v1 stores discount_rule.value and usage_limit in PostgreSQL `integer` columns. */
export const MAX_DISCOUNT_INTEGER = 2_147_483_647

const isoDateTime = z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with a time zone, e.g. \"2025-01-01T00:00:00Z\"" })

/** Fields every discount type shares; they map one to one onto Medusa v1 discount fields. */
const discountCommon = {
  allocation: z.enum(DISCOUNT_ALLOCATIONS).default("total")
    .meta({ description: "\"total\": off the cart total; \"item\": off each eligible line item." }),
  starts_at: isoDateTime.optional().meta({ description: "When the code becomes usable (Medusa enforces it); default: at once." }),
  ends_at: isoDateTime.optional().meta({ description: "When the code stops being usable; default: never. Must be after starts_at." }),
  usage_limit: z.number().int().min(1).max(MAX_DISCOUNT_INTEGER).optional().meta({ description: "Total uses of the code across all customers (Medusa's usage_limit)." }),
}

const PercentageDiscount = strict({
  type: z.literal("percentage"),
  // Medusa v1 stores discount_rule.value as an integer column: a fractional percentage cannot be represented.
  value: z.number().int().min(1).max(100).meta({ description: "Whole percent, 1-100." }),
  ...discountCommon,
})

const FixedDiscount = strict({
  type: z.literal("fixed"),
  value: z.number().int().min(1).max(MAX_DISCOUNT_INTEGER).meta({ description: "Amount off in minor units of currency_code (500 = 5.00 USD)." }),
  // Medusa v1 fixed discounts belong to one region, so the amount needs a currency; the service picks its regions.
  currency_code: z.string().regex(/^[a-z]{3}$/, { error: "currency_code is a lower-case ISO 4217 code, e.g. \"usd\"" }),
  ...discountCommon,
})

const Discount = z.discriminatedUnion("type", [PercentageDiscount, FixedDiscount], {
  error: (issue) => {
    if (issue.code !== "invalid_union") return undefined
    const type = (issue.input as { type?: unknown } | undefined)?.type
    const valid = DISCOUNT_TYPES.map((t) => `"${t}"`).join(", ")
    return type === undefined ? `the discount has no "type"; valid types: ${valid}` : `unknown discount type ${JSON.stringify(type)}; valid types: ${valid}`
  },
}).superRefine((discount, ctx) => {
  // Both dates parsed: an empty or reversed window would create a code nobody can ever use.
  if (discount.starts_at === undefined || discount.ends_at === undefined) return
  if (Date.parse(discount.ends_at) <= Date.parse(discount.starts_at)) {
    ctx.addIssue({ code: "custom", path: ["ends_at"], message: `ends_at (${discount.ends_at}) must be after starts_at (${discount.starts_at})`, params: { hint: "swap the dates, or remove ends_at for a promotion without an end" } })
  }
})
/** A promotion's Medusa discount, as data. */
export type DiscountDefinition = z.output<typeof Discount>

export const PromotionEntry = strict({
  code: z.string().regex(PROMOTION_CODE_PATTERN, {
    error: "a promotion code is 3 to 40 upper-case letters, digits, '-' or '_' (e.g. \"GOLD15\")",
  }),
  name: z.string().trim().min(1).max(100),
  description: z.string().max(MAX_TEXT).optional(),
  customer_group: customerGroupName.optional()
    .meta({ description: "Medusa customer group of the eligible members; default \"Loyalty promotion: <code>\"." }),
  conditions: conditionsOver(MEMBER_FACT_NAMES),
  discount: Discount,
})
export type PromotionEntry = z.output<typeof PromotionEntry>

export const PromotionsFile = strict({
  ...fileHeader,
  kind: z.literal("promotions"),
  promotions: z.array(PromotionEntry).max(MAX_PROMOTIONS_PER_FILE),
})
export type PromotionsFile = z.output<typeof PromotionsFile>

/** The customer group of a promotion that does not name one. */
export function defaultPromotionGroupName(code: string): string {
  return `Loyalty promotion: ${code}`
}
