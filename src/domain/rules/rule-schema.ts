/**
 * The rule FILE format, as zod 4 schemas: strict objects everywhere (an unknown key is an error, never ignored),
 * the event as a discriminated union on `type`, the file as a discriminated union on `kind`: accrual and program
 * files here, tiers (tier-schema.ts) and promotions (promotion-schema.ts). Conditions are checked by condition.ts,
 * node by node, against the facts of the file's kind.
 */
import { z } from "zod"
import { ActionsFile } from "./action-schema"
import { windowFields, windowIssue } from "./campaign-window"
import { ACCRUAL_FACT_NAMES } from "./fact-catalogue"
import { decimalPlaces } from "../program/points"
import { DEFAULT_PROGRAM, NEGATIVE_BALANCE_POLICIES, PROGRAM_LIMITS, SPENDABLE_ON } from "./program"
import { PromotionsFile } from "./promotion-schema"
import { conditionsOver, fileHeader, MAX_TEXT, RULE_NAME_PATTERN, ruleName, strict } from "./schema-parts"
import { isTimeZone } from "../shared/store-time"
import { TiersFile } from "./tier-schema"

export { RULE_NAME_PATTERN }
export const MAX_RULES_PER_FILE = 500

const positiveInt = z.number().int().min(1)


/** The order amount a points_per_amount rule earns on. */
export const AMOUNT_BASES = ["subtotal_minus_discount", "subtotal", "total"] as const
export type AmountBasis = (typeof AMOUNT_BASES)[number]

const PointsPerAmountEvent = strict({
  type: z.literal("points_per_amount"),
  params: strict({
    points: positiveInt,
    per_minor: positiveInt,
    amount: z.enum(AMOUNT_BASES).default("subtotal_minus_discount"),
  }),
})

const FixedBonusEvent = strict({
  type: z.literal("fixed_bonus"),
  params: strict({ points: positiveInt }),
})

const MultiplierEvent = strict({
  type: z.literal("multiplier"),
  params: strict({
    factor: z.number().gt(0).lte(100).refine((f) => (decimalPlaces(f) ?? Infinity) <= 4, {
      error: "factor has more than 4 decimal places (e.g. 1.25 or 1.3333 are fine)",
    }),
  }),
})

const CapEvent = strict({
  type: z.literal("cap"),
  params: strict({ max_points: z.number().int().min(0) }),
})

export const ACCRUAL_EVENT_TYPES = ["points_per_amount", "fixed_bonus", "multiplier", "cap"] as const

const AccrualEvent = z.discriminatedUnion("type", [PointsPerAmountEvent, FixedBonusEvent, MultiplierEvent, CapEvent], {
  error: (issue) => {
    if (issue.code !== "invalid_union") return undefined
    const type = (issue.input as { type?: unknown } | undefined)?.type
    const valid = ACCRUAL_EVENT_TYPES.map((t) => `"${t}"`).join(", ")
    return type === undefined ? `the event has no "type"; valid types: ${valid}` : `unknown event type ${JSON.stringify(type)}; valid types: ${valid}`
  },
})
export type AccrualEvent = z.output<typeof AccrualEvent>

export const AccrualRule = strict({
  name: ruleName,
  description: z.string().max(MAX_TEXT).optional(),
  priority: z.number().int().min(1).max(1000).default(1),
  ...windowFields,
  conditions: conditionsOver(ACCRUAL_FACT_NAMES),
  event: AccrualEvent,
}).superRefine((rule, ctx) => {
  const issue = windowIssue(rule)
  if (issue) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, params: { hint: issue.hint } })
})
export type AccrualRule = z.output<typeof AccrualRule>

export const AccrualFile = strict({
  ...fileHeader,
  kind: z.literal("accrual"),
  rules: z.array(AccrualRule).max(MAX_RULES_PER_FILE),
})
export type AccrualFile = z.output<typeof AccrualFile>

/** An integer setting within PROGRAM_LIMITS, defaulting to DEFAULT_PROGRAM's value; the description feeds editors. */
function setting(limits: { min: number; max: number }, fallback: number, description: string) {
  return z.number().int().min(limits.min).max(limits.max).default(fallback).meta({ description })
}

function withinLimits(value: unknown, limits: { min: number; max: number }): value is number {
  return Number.isSafeInteger(value) && (value as number) >= limits.min && (value as number) <= limits.max
}

const defaults = DEFAULT_PROGRAM.redemption

const RedemptionSettings = strict({
  points_per_currency_unit: setting(PROGRAM_LIMITS.points_per_currency_unit, defaults.points_per_currency_unit, "Points worth one major currency unit (100: 500 points = 5.00 USD = 5 JPY)."),
  min_points: setting(PROGRAM_LIMITS.min_points, defaults.min_points, "Smallest redemption; a multiple of step_points."),
  step_points: setting(PROGRAM_LIMITS.step_points, defaults.step_points, "Redemptions come in multiples of this many points."),
  code_valid_days: setting(PROGRAM_LIMITS.code_valid_days, defaults.code_valid_days, "Days a redemption's discount code stays usable; unused points come back after."),
  max_cart_share_bps: setting(PROGRAM_LIMITS.max_cart_share_bps, defaults.max_cart_share_bps, "Paying with points in the cart: the largest share of the cart's goods (items, not shipping) points may pay, in basis points (10000 = all, 5000 = half)."),
}).superRefine((r, ctx) => {
  // zod runs this even when a field failed its own check: one issue per mistake, so only compare valid values.
  if (!withinLimits(r.min_points, PROGRAM_LIMITS.min_points) || !withinLimits(r.step_points, PROGRAM_LIMITS.step_points)) return
  // Cross-field: reported at min_points, the value a marketer most likely mistyped.
  if (r.min_points < r.step_points) {
    ctx.addIssue({ code: "custom", path: ["min_points"], message: `redemption.min_points (${r.min_points}) must be at least redemption.step_points (${r.step_points})`, params: { hint: `set min_points to ${r.step_points} or more` } })
  } else if (r.min_points % r.step_points !== 0) {
    const lower = r.min_points - (r.min_points % r.step_points)
    ctx.addIssue({ code: "custom", path: ["min_points"], message: `redemption.min_points (${r.min_points}) must be a multiple of redemption.step_points (${r.step_points})`, params: { hint: `e.g. ${lower} or ${lower + r.step_points}` } })
  }
})

const ExpirySettings = strict({
  after_months: setting(PROGRAM_LIMITS.after_months, DEFAULT_PROGRAM.expiry?.after_months ?? 12, "Earned points expire this many calendar months after they were credited, oldest first."),
})

const ReferralSettings = strict({
  attach_within_days: setting(PROGRAM_LIMITS.attach_within_days, DEFAULT_PROGRAM.referral.attach_within_days, "A new member may attach a friend's referral code within this many days of signing up (and before a first order)."),
})

/**
 * The program settings file: every field optional, defaults from DEFAULT_PROGRAM. Nested objects use `prefault`
 * so a partial object (e.g. only `min_points`) still gets its other fields' defaults.
 */
export const ProgramFile = strict({
  ...fileHeader,
  kind: z.literal("program"),
  negative_balance: z.enum(NEGATIVE_BALANCE_POLICIES).default(DEFAULT_PROGRAM.negative_balance)
    .meta({ description: "\"allow\": a refund clawback may take the balance below zero; \"stop_at_zero\": clawbacks stop at zero." }),
  redemption: RedemptionSettings.prefault({}).meta({ description: "Turning points into discount codes." }),
  // null means "points never expire"; omitted means the default expiry.
  expiry: ExpirySettings.nullable().prefault({}).meta({ description: "When points expire; null: never." }),
  pending_days: setting(PROGRAM_LIMITS.pending_days, DEFAULT_PROGRAM.pending_days, "Days before earned points can be spent; 0: at once."),
  spendable_on: z.enum(SPENDABLE_ON).default(DEFAULT_PROGRAM.spendable_on)
    .meta({ description: "When an order's points can be spent: \"placed\" at once; \"captured\" once its payment is captured (pending until then; with pending_days, both must hold)." }),
  timezone: z.string().refine(isTimeZone, {
    error: (issue) => `unknown time zone ${JSON.stringify(issue.input)}: use an IANA name such as "UTC", "America/New_York" or "Europe/Paris"`,
  }).default(DEFAULT_PROGRAM.timezone)
    .meta({ description: "IANA time zone of the store's calendar (local date, weekday and hour facts; limits per day/month/year; birthdays)." }),
  expiry_reminder_days: setting(PROGRAM_LIMITS.expiry_reminder_days, DEFAULT_PROGRAM.expiry_reminder_days, "Days before points expire that the member is reminded (the loyalty.points_expiring event, once per expiry date); 0: no reminders."),
  referral: ReferralSettings.prefault({}).meta({ description: "Referral codes: when a new member may attach a friend's code." }),
})
export type ProgramFile = z.output<typeof ProgramFile>

export const RULE_FILE_KINDS = ["accrual", "program", "tiers", "promotions", "actions"] as const
export type RuleFileKind = (typeof RULE_FILE_KINDS)[number]

/** One rule file of any kind. Add a kind: add its strict schema here and its name to RULE_FILE_KINDS. */
export const RuleFile = z.discriminatedUnion("kind", [AccrualFile, ProgramFile, TiersFile, PromotionsFile, ActionsFile], {
  error: (issue) => {
    if (issue.code !== "invalid_union") return undefined
    const kind = (issue.input as { kind?: unknown } | undefined)?.kind
    const valid = RULE_FILE_KINDS.map((k) => `"${k}"`).join(", ")
    return kind === undefined ? `the file has no "kind"; valid kinds: ${valid}` : `unknown kind ${JSON.stringify(kind)}; valid kinds: ${valid}`
  },
})
export type RuleFile = z.output<typeof RuleFile>
export { TiersFile, PromotionsFile, ActionsFile }
