/**
 * The "actions" rule file kind: rules over an action a member took (signing up, a birthday, a referral, or a custom
 * action the merchant's backend reports such as a review) that award FIXED points, each with optional limits per
 * member (per store-local day, month, year, and a lifetime count) and an optional campaign window (by the time the
 * action occurred).
 */
import { z } from "zod"
import { windowFields, windowIssue } from "./campaign-window"
import { ACTION_FACT_NAMES } from "./fact-catalogue"
import { MAX_STORABLE_POINTS } from "../ledger/ledger"
import { conditionsOver, fileHeader, MAX_TEXT, ruleName, strict } from "./schema-parts"

export const MAX_ACTION_RULES_PER_FILE = 500

const limit = (description: string) => z.number().int().min(1).max(1_000_000).optional().meta({ description })

/** At most this many awards of the rule per member; periods are the store's calendar (program timezone). */
export const ActionLimits = strict({
  per_day: limit("Awards per member per store-local calendar day."),
  per_month: limit("Awards per member per store-local calendar month."),
  per_year: limit("Awards per member per store-local calendar year."),
  lifetime: limit("Awards per member, ever."),
})
export type ActionLimits = z.output<typeof ActionLimits>
export const ACTION_LIMIT_KEYS = ["per_day", "per_month", "per_year", "lifetime"] as const
export type ActionLimitKey = (typeof ACTION_LIMIT_KEYS)[number]

const AwardPointsEvent = strict({
  type: z.literal("award_points", { error: 'the only event of an action rule is "award_points"' }),
  params: strict({ points: z.number().int().min(1).max(MAX_STORABLE_POINTS) }),
})

export const ActionRule = strict({
  name: ruleName,
  description: z.string().max(MAX_TEXT).optional(),
  priority: z.number().int().min(1).max(1000).default(1),
  ...windowFields,
  conditions: conditionsOver(ACTION_FACT_NAMES),
  event: AwardPointsEvent,
  limits: ActionLimits.optional(),
}).superRefine((rule, ctx) => {
  const issue = windowIssue(rule)
  if (issue) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, params: { hint: issue.hint } })
})
export type ActionRule = z.output<typeof ActionRule>

export const ActionsFile = strict({
  ...fileHeader,
  kind: z.literal("actions"),
  rules: z.array(ActionRule).max(MAX_ACTION_RULES_PER_FILE),
})
export type ActionsFile = z.output<typeof ActionsFile>
