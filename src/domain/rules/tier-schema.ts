/**
 * The tiers file format (`"kind": "tiers"`), as zod 4 schemas: the ladder of tiers and the downgrade policy.
 * Checks that need the whole ladder (unique codes and ranks, the base tier, increasing thresholds) run after
 * parsing, in tier-ladder.ts, so they see well-typed data.
 */
import { z } from "zod"
import { MEMBER_FACT_NAMES } from "./fact-catalogue"
import { conditionsOver, fileHeader, MAX_TEXT, strict } from "./schema-parts"

export const TIER_CODE_PATTERN = /^[a-z0-9][a-z0-9_-]*$/
export const MAX_TIERS = 50
/** A grace period longer than ten years is a typo, not a policy. */
export const MAX_GRACE_DAYS = 3650

/** Medusa customer group names: short, visible text in the admin. */
export const customerGroupName = z.string().trim().min(1).max(100)

const NeverPolicy = strict({ policy: z.literal("never") })
const GracePolicy = strict({
  policy: z.literal("grace"),
  grace_days: z.number().int().min(0).max(MAX_GRACE_DAYS)
    .meta({ description: "Days (of 24 h) a member keeps a tier after falling below it; 0: downgrade at the next evaluation." }),
})

export const DOWNGRADE_POLICIES = ["never", "grace"] as const

const DowngradePolicy = z.discriminatedUnion("policy", [NeverPolicy, GracePolicy], {
  error: (issue) => {
    if (issue.code !== "invalid_union") return undefined
    const policy = (issue.input as { policy?: unknown } | undefined)?.policy
    const valid = DOWNGRADE_POLICIES.map((p) => `"${p}"`).join(", ")
    return policy === undefined ? `the downgrade has no "policy"; valid policies: ${valid}` : `unknown downgrade policy ${JSON.stringify(policy)}; valid policies: ${valid}`
  },
})
/** What happens when a member no longer qualifies for their tier: keep it forever, or lose it after a grace period. */
export type DowngradePolicy = z.output<typeof DowngradePolicy>

export const TierEntry = strict({
  code: z.string().max(40).regex(TIER_CODE_PATTERN, {
    error: "a tier code uses lower-case letters, digits, '-' and '_', starting with a letter or digit (e.g. \"gold\")",
  }),
  name: z.string().trim().min(1).max(100),
  description: z.string().max(MAX_TEXT).optional(),
  rank: z.number().int().min(0).max(1000).meta({ description: "Unique; higher is better. The highest-ranked qualifying tier wins." }),
  customer_group: customerGroupName.optional()
    .meta({ description: "Medusa customer group kept in sync with the tier's members; default \"Loyalty: <name>\"." }),
  conditions: conditionsOver(MEMBER_FACT_NAMES),
})
export type TierEntry = z.output<typeof TierEntry>

export const TiersFile = strict({
  ...fileHeader,
  kind: z.literal("tiers"),
  downgrade: DowngradePolicy.meta({ description: "{ \"policy\": \"never\" } or { \"policy\": \"grace\", \"grace_days\": 30 }." }),
  tiers: z.array(TierEntry).min(1).max(MAX_TIERS),
})
export type TiersFile = z.output<typeof TiersFile>

/** The customer group of a tier that does not name one: predictable, so the admin can find it. */
export function defaultTierGroupName(tier_name: string): string {
  return `Loyalty: ${tier_name}`
}
