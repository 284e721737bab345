import { z } from "zod"
import { EntryKinds } from "../ledger/ledger"
import { ReconcileKinds } from "../ledger/reconcile"
import { ACCRUAL_EVENT_TYPES } from "../rules/rule-schema"
import { VerifyChecks } from "../ledger/verify"

/**
 * The bodies the plugin's routes answer, as zod schemas for the OpenAPI document (openapi-document.ts) and for the
 * test that checks real answers against it. Every object is strict: a key the code sends and this file does not
 * list fails that test, as does a listed key the code no longer sends. They describe the JSON on the wire, so dates
 * are ISO strings (Express serializes a Date with toISOString) and counts are integers. Keep them next to what they
 * describe: views.ts (account, entry, redemption), v1's error-handler.ts and v2's lib/http.ts (error bodies).
 * A `.meta({ id })` makes the piece a named schema in the document's `components.schemas` (ids must be unique).
 */

const int = () => z.number().int()

/**
 * The ids this module names (a test keeps the list equal to the `.meta({ id })` calls below). zod keeps its registry
 * on `globalThis`, shared by every copy of zod a process loads, and some copies (Medusa's admin SDK's) refuse an id
 * already taken. This module is evaluated again in one process whenever a module registry is rebuilt (jest runs each
 * spec file in a fresh one), so it frees its own ids first: the newest evaluation's schemas are the named ones.
 */
export const NAMED_SCHEMA_IDS = [
  "IsoDateTime",
  "LoyaltyAccount",
  "LoyaltyAccountWithEmail",
  "LoyaltyMemberSummary",
  "LoyaltyEntry",
  "LoyaltyAction",
  "LoyaltyRedemption",
  "RuleIssue",
  "RulesView",
  "PromotionReconcileResult",
  "AccrualFacts",
  "AccrualContribution",
  "TierRef",
  "ExpiryCounts",
  "ExpiryReminderCounts",
  "RedemptionVoidCounts",
  "ActivationCounts",
  "TierCounts",
  "ReconcileResult",
  "VerifyReport",
  "LoyaltyError",
  "LoyaltyRulesInvalidError",
  "ActionSimulation",
  "MedusaUnauthorized",
  "BirthdayCounts",
  "AttachedReferral",
] as const
const registeredIds = (z.globalRegistry as unknown as { _idmap?: Map<string, unknown> })._idmap
for (const id of NAMED_SCHEMA_IDS) registeredIds?.delete(id)
/** A Date as Express sends it: `Date.prototype.toISOString`, always UTC with milliseconds. */
export const IsoDateTime = z.iso.datetime().meta({ id: "IsoDateTime", description: "ISO 8601 date-time in UTC, e.g. 2026-11-22T09:00:00.000Z" })

/** serializeAccount: `tier` is `{ code, name }`, null before the member's first tier evaluation. */
const accountShape = {
  id: z.string(),
  customer_id: z.string(),
  points_balance: int(),
  points_lifetime: int().meta({ description: "Points ever earned net of clawbacks; a bigint in the database, past 2,147,483,647 allowed" }),
  points_pending: int(),
  tier: z.strictObject({ code: z.string(), name: z.string() }).nullable(),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
}
export const Account = z.strictObject(accountShape).meta({ id: "LoyaltyAccount" })
/** The admin list's account: serializeAccount with the customer's email (null when the customer row is gone). */
export const AccountWithEmail = z.strictObject({ ...accountShape, email: z.string().nullable() }).meta({ id: "LoyaltyAccountWithEmail" })

/** memberSummary: the account with the next points to expire and the next tier (the store's and the admin's view). */
export const MemberSummary = z
  .strictObject({
    ...accountShape,
    next_expiry: z
      .strictObject({ points: int(), expires_at: IsoDateTime })
      .nullable()
      .meta({ description: "the oldest lot still unspent; null when points never expire or none are left" }),
    next_tier: z
      .strictObject({
        code: z.string(),
        name: z.string(),
        threshold: int().nullable(),
        points_needed: int().nullable().meta({ description: "null when the threshold is not on points" }),
      })
      .nullable()
      .meta({ description: "null at the top of the ladder or without tiers" }),
  })
  .meta({ id: "LoyaltyMemberSummary" })

/** serializeEntry: `points` signed from the member's point of view. */
export const Entry = z.strictObject({
  id: z.string(),
  kind: z.enum(EntryKinds),
  points: int(),
  balance_after: int(),
  pending_points: int(),
  order_id: z.string().nullable(),
  rule_names: z.array(z.string()),
  rulebook_version: z.string().nullable(),
  reason: z.string().nullable(),
  actor_id: z.string().nullable(),
  created_at: IsoDateTime,
}).meta({ id: "LoyaltyEntry" })

/** serializeAction: an earning action as recorded, with its decision. */
export const Action = z.strictObject({
  id: z.string(),
  customer_id: z.string(),
  type: z.string(),
  reference: z.string(),
  occurred_at: IsoDateTime,
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  status: z.enum(["awarded", "refused", "no_rule"]).meta({ description: "awarded: an entry; refused: every applying rule had reached a limit (see reasons); no_rule: no action rule applies" }),
  points: int(),
  rule_names: z.array(z.string()),
  rulebook_version: z.string().nullable(),
  reasons: z.array(z.strictObject({
    rule: z.string().optional(),
    limit: z.enum(["per_day", "per_month", "per_year", "lifetime"]).optional(),
    max: int().optional(),
    period: z.string().optional(),
    message: z.string(),
  })),
  entry_id: z.string().nullable(),
  created_at: IsoDateTime,
}).meta({ id: "LoyaltyAction" })

/** serializeRedemption (domain/http/views.ts): `amount` in minor units of `currency_code`; `order_id` and `settled_at` once an order used the code, `voided_at` once its points came back. */
export const Redemption = z.strictObject({
  id: z.string(),
  points: int(),
  discount_code: z.string(),
  amount: int(),
  currency_code: z.string(),
  expires_at: IsoDateTime,
  status: z.enum(["reserved", "settled", "voided"]),
  cart_id: z.string().nullable(),
  order_id: z.string().nullable(),
  settled_at: IsoDateTime.nullable(),
  voided_at: IsoDateTime.nullable(),
  created_at: IsoDateTime,
}).meta({ id: "LoyaltyRedemption" })

/** A list page: the items under `key`, the total count and the page asked for. */
export function listPage<K extends string, T extends z.ZodType>(key: K, item: T) {
  return z.strictObject({ [key]: z.array(item), count: int(), limit: int(), offset: int() } as { [P in K]: z.ZodArray<T> } & {
    count: z.ZodNumber
    limit: z.ZodNumber
    offset: z.ZodNumber
  })
}

/** A rule file problem as the admin API shows it (IssueView): every key present, null when unknown. */
export const RuleIssue = z.strictObject({
  file: z.string(),
  line: int().nullable(),
  column: int().nullable(),
  pointer: z.string(),
  message: z.string(),
  hint: z.string().nullable(),
}).meta({ id: "RuleIssue" })

/** LoyaltyRulesAdminService.describe (RulesView). */
export const RulesView = z.strictObject({
  version: z.string().nullable(),
  loaded_at: IsoDateTime.nullable(),
  rules_dir: z.string(),
  files: z.array(z.string()),
  last_reload_error: z.strictObject({ at: IsoDateTime, issues: z.array(RuleIssue) }).nullable(),
}).meta({ id: "RulesView" })

const CodeReason = z.strictObject({ code: z.string(), reason: z.string() })
/** LoyaltyPromotionService.reconcile: promotion codes by outcome. */
export const PromotionReconcile = z.strictObject({
  rulebook_version: z.string(),
  created: z.array(z.string()),
  updated: z.array(z.string()),
  disabled: z.array(z.string()),
  unchanged: z.array(z.string()),
  conflicts: z.array(CodeReason),
  pending: z.array(CodeReason),
  failed: z.array(CodeReason),
}).meta({ id: "PromotionReconcileResult" })

/** Order and customer facts (domain/rules/facts.ts) as an accrual or a simulation saw them. */
const LineItemFacts = z.strictObject({
  id: z.string(),
  title: z.string(),
  product_id: z.string().nullable(),
  variant_id: z.string().nullable(),
  sku: z.string().nullable(),
  collection_id: z.string().nullable(),
  type: z.string().nullable(),
  type_id: z.string().nullable(),
  tags: z.array(z.string()),
  quantity: int(),
  unit_price: int(),
  subtotal: int(),
  discount_total: int(),
  total: int(),
})
export const AccrualFacts = z.strictObject({
  order: z.strictObject({
    id: z.string(),
    subtotal: int(),
    discount_total: int(),
    shipping_total: int(),
    tax_total: int(),
    total: int(),
    gift_card_total: int(),
    currency_code: z.string(),
    currency_decimals: int(),
    region_id: z.string(),
    sales_channel_id: z.string().nullable(),
    items: z.array(LineItemFacts),
    // A string as given: simulations take any text here, stored orders give an ISO date-time.
    created_at: z.string(),
  }),
  customer: z.strictObject({
    id: z.string(),
    email: z.string(),
    group_ids: z.array(z.string()),
    created_at: z.string(),
    orders_count: int(),
    points_balance: int(),
    points_lifetime: int(),
    tier: z.string().nullable(),
  }),
}).meta({ id: "AccrualFacts" })

/** One accrual rule's share of the points (AccrualContribution). */
export const Contribution = z.strictObject({ rule: z.string(), type: z.enum(ACCRUAL_EVENT_TYPES), points: int() }).meta({ id: "AccrualContribution" })

export const TierRef = z.strictObject({ code: z.string(), name: z.string(), rank: int() }).meta({ id: "TierRef" })

export const ExpiryCounts = z.strictObject({ enabled: z.boolean(), accounts_checked: int(), entries_posted: int(), points_expired: int() }).meta({ id: "ExpiryCounts" })
export const ReminderCounts = z.strictObject({ enabled: z.boolean(), accounts_checked: int(), emitted: int() }).meta({ id: "ExpiryReminderCounts" })
export const VoidCounts = z.strictObject({ examined: int(), voided: int(), settled: int(), skipped: int(), failed: int() }).meta({ id: "RedemptionVoidCounts" })
export const ActivationCounts = z.strictObject({ orders_checked: int(), awards_checked: int(), entries_posted: int(), points_activated: int() }).meta({ id: "ActivationCounts" })
export const TierCounts = z.strictObject({ accounts_checked: int(), upgraded: int(), downgraded: int(), unchanged: int() }).meta({ id: "TierCounts" })

/** domain/ledger/reconcile.ts ReconcileResult: `since`/`until` as ISO strings, `redemptions_settled` when codes were swept, `referrals` when referral awards were. */
export const ReconcileResult = z.strictObject({
  since: IsoDateTime,
  until: IsoDateTime,
  limit: int().nullable(),
  scanned: int(),
  applied: z.strictObject({ accruals: int(), reversals: int(), clawbacks: int() }),
  already_seen: int(),
  skipped: int(),
  failures: z.array(
    z.strictObject({ kind: z.enum(ReconcileKinds), order_id: z.string(), refund_id: z.string().nullable(), code: z.string(), message: z.string() })
  ),
  complete: z.boolean(),
  redemptions_settled: int().optional(),
  referrals: z.strictObject({ awarded: int(), reversed: int() }).optional(),
}).meta({ id: "ReconcileResult" })

/** domain/ledger/verify.ts VerifyReport. */
export const VerifyReport = z.strictObject({
  ok: z.boolean(),
  accounts_checked: int(),
  entries_checked: int(),
  problems: z.array(
    z.strictObject({
      customer_id: z.string(),
      check: z.enum(VerifyChecks),
      expected: z.union([z.number(), z.string()]),
      actual: z.union([z.number(), z.string()]),
      entry_id: z.string().optional(),
      redemption_id: z.string().optional(),
    })
  ),
}).meta({ id: "VerifyReport" })

/**
 * The error body of every refusal (Medusa's error handler, or the plugin's for request errors: error-handler.ts):
 * `type` is Medusa's error type (invalid_data, not_allowed, not_found, duplicate_error, unexpected_state, …), `code`
 * the plugin's LoyaltyError code (INVALID_INPUT, NOT_FOUND, IDEMPOTENCY_CONFLICT, …) unless Medusa raised the error
 * itself without a code, `message` names each field at fault.
 */
export const ErrorBody = z
  .strictObject({
    type: z.string(),
    // Absent only when Medusa itself raised the error without one (e.g. simulate's unknown order_id: not_found).
    code: z.string().optional(),
    message: z.string(),
  })
  .meta({ id: "LoyaltyError", description: "A refusal: Medusa's error type, the error code, and a message naming what to fix." })

/** POST /admin/loyalty/rules/reload's refusal: the error body with the located issues (answered by the route itself). */
export const RulesInvalidBody = z
  .strictObject({ type: z.literal("invalid_data"), code: z.literal("RULES_INVALID"), message: z.string(), issues: z.array(RuleIssue) })
  .meta({ id: "LoyaltyRulesInvalidError", description: "The rule files are invalid; the previous rulebook stays live." })

/*
 * Route answers both majors give with the same shape (v1 src/api and v2 v2/src/api route files import them, so the
 * two documents cannot describe one route two ways).
 */

/** GET /admin/loyalty/tiers: one rung of the ladder with its customer group (null until first needed) and member count. */
export const TierSummary = z.strictObject({
  code: z.string(),
  name: z.string(),
  rank: int(),
  threshold: int().nullable(),
  customer_group_id: z.string().nullable(),
  member_count: int(),
})

/** GET /store/loyalty/tiers: a rung as any shopper may see it. */
export const PublicTier = z.strictObject({ code: z.string(), name: z.string(), rank: int(), threshold: int().nullable() })

/**
 * GET /admin/loyalty/entries/:id/explain (rules-admin.ts explainEntry with the entry and its details). Stored history,
 * as written by whichever plugin version wrote it: `details` and `facts` are described, not fixed.
 */
export const EntryExplanation = z.strictObject({
  entry: z.strictObject({ ...Entry.shape, details: z.record(z.string(), z.unknown()).meta({ description: "the entry's stored details, without facts" }) }),
  rulebook: z
    .strictObject({ version: z.string(), files: z.array(z.strictObject({ name: z.string(), text: z.string() })).nullable() })
    .nullable(),
  facts: z.record(z.string(), z.unknown()).nullable().meta({ description: "the facts an accrual ({ order, customer }) or an earning action ({ action, member }) was evaluated with; null otherwise" }),
  rules_fired: z.array(z.strictObject({ name: z.string(), type: z.string().nullable(), contribution: int() })),
})

/** GET /store/customers/me/loyalty/promotions: a member promotion code the customer can use now. */
export const CustomerPromotion = z.strictObject({
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  discount: z.strictObject({
    type: z.enum(["percentage", "fixed"]),
    value: z.number().meta({ description: "percent, or minor units of currency_code" }),
    allocation: z.enum(["total", "item"]),
    currency_code: z.string().optional(),
  }),
  starts_at: IsoDateTime.nullable(),
  ends_at: IsoDateTime.nullable(),
})

/** POST /admin/loyalty/rules/validate (rules-admin.ts validateRuleFiles): valid with a version, or the located issues. */
export const RulesValidation = z.union([
  z.strictObject({ valid: z.literal(true), version: z.string(), issues: z.array(RuleIssue).max(0) }),
  z.strictObject({ valid: z.literal(false), issues: z.array(RuleIssue) }),
])

/** POST /admin/loyalty/rules/reload: the live rulebook and the member promotions reconcile (`{ error }` when it failed: the rulebook is live anyway). */
export const RulesReloaded = z.strictObject({ rules: RulesView, promotions: z.union([PromotionReconcile, z.strictObject({ error: z.string() })]) })

/** POST /admin/loyalty/simulate for an order (rules-admin.ts simulationView). */
export const AccrualSimulation = z.strictObject({
  points: int(),
  amount_points: int(),
  bonus_points: int(),
  multiplier_bp: int(),
  rule_names: z.array(z.string()),
  contributions: z.array(Contribution),
  pending: z.boolean(),
  rulebook_version: z.string(),
  tier: TierRef.nullable().optional().meta({ description: "present with a tiers file" }),
  promotions: z.array(z.string()).optional().meta({ description: "codes the member would be eligible for; present with promotions files" }),
  facts: AccrualFacts,
})

/** POST /admin/loyalty/simulate for an earning action. */
export const ActionSimulation = z.strictObject({
  points: int(),
  rule_names: z.array(z.string()),
  contributions: z.array(z.strictObject({ rule: z.string(), points: int() })),
  refused: z.array(z.strictObject({ rule: z.string(), limit: z.string(), max: int(), period: z.string(), message: z.string() })),
  rulebook_version: z.string(),
  facts: z.strictObject({ action: z.record(z.string(), z.unknown()) }),
}).meta({ id: "ActionSimulation" })

/** Medusa 2's refusal of an unauthenticated call (its authenticate middleware answers before any plugin code runs). */
export const MedusaUnauthorized = z.strictObject({ message: z.string() }).meta({ id: "MedusaUnauthorized" })

/** POST /admin/loyalty/actions: the action as recorded with its decision, its entry (null when none) and whether it was a replay. */
export const ActionReport = z.strictObject({ action: Action, entry: Entry.nullable(), replayed: z.boolean() })

/** POST /admin/loyalty/jobs/birthdays: what the birthdays run did, by outcome. */
export const BirthdayCounts = z.strictObject({
  local_date: z.string().meta({ description: "the store-local date celebrated (program timezone)" }),
  candidates: int().min(0), awarded: int().min(0), already: int().min(0), recent_change: int().min(0), refused: int().min(0), no_rule: int().min(0), failed: int().min(0),
}).meta({ id: "BirthdayCounts" })

/** The friend's referral code a member attached, and when. */
export const AttachedReferral = z.strictObject({ code: z.string(), attached_at: IsoDateTime }).meta({ id: "AttachedReferral" })
/** GET /store/customers/me/loyalty/referral. */
export const ReferralCodeView = z.strictObject({
  code: z.string().meta({ description: "my referral code, to share (the same every time)" }),
  attached: AttachedReferral.nullable().meta({ description: "the friend's code I attached, or null" }),
})

/** The members a job run could not process (v2's jobs go on past one member's failure), absent when none. */
export const JobFailures = z.array(z.strictObject({ id: z.string(), message: z.string() })).optional()
  .meta({ description: "one row per member or order the run could not process, with why; absent when none" })

const previewRules = z
  .array(z.strictObject({ name: z.string(), points: int().meta({ description: "signed: a cap's cut is negative" }) }))
  .meta({ description: "the rules that fire, in the accrual's order (amount, multipliers, bonuses, caps); they sum to points" })

/** earnPreview (domain/program/earn-preview.ts): what a cart will earn once placed. Nothing is written. */
export const CartEarnPreview = z.strictObject({
  cart_id: z.string(),
  currency_code: z.string(),
  points: int().meta({ description: "what the order will earn, computed as its accrual will be, at the time of the request" }),
  pending: z.boolean().meta({ description: "the points will be pending first (the program's pending_days or spendable_on)" }),
  member: z.boolean().meta({ description: "false for a guest cart: the points are what a member would earn (a guest's order earns nothing)" }),
  rules: previewRules,
  tier: z
    .strictObject({
      current: z.string().nullable(),
      after: z.string().nullable().meta({ description: "the tier the member will hold once the order's points are posted" }),
      points_to_next: int().nullable().meta({ description: "points still needed for the next tier after the order; null at the top or when that threshold is not on points" }),
    })
    .nullable()
    .meta({ description: "null without tiers" }),
  rulebook_version: z.string(),
})

/** productEarnPreview: points for one unit of each variant of a product, for the member (a guest: a new member). */
export const ProductEarnPreview = z.strictObject({
  product_id: z.string(),
  region_id: z.string(),
  currency_code: z.string(),
  member: z.boolean().meta({ description: "false without a logged-in member: the points are what a member would earn (\"sign in to earn\")" }),
  variants: z.array(
    z.strictObject({
      variant_id: z.string(),
      unit_price: int().nullable().meta({ description: "minor units; null when the variant has no price in the region's currency (it then earns 0)" }),
      points: int(),
      pending: z.boolean(),
      rules: previewRules,
    })
  ),
  rulebook_version: z.string(),
})
