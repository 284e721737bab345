/**
 * Program settings: the knobs of the loyalty program that are not rules (negative balances, redemption, expiry,
 * pending period, when points become spendable). They come from the optional `"kind": "program"` rule file; without one, DEFAULT_PROGRAM applies.
 * The file format (zod, strict, located issues) lives in rule-schema.ts next to the other rule file kinds.
 */

/** What a clawback may do to a balance: go below zero ("allow") or stop at zero ("stop_at_zero"). */
export const NEGATIVE_BALANCE_POLICIES = ["allow", "stop_at_zero"] as const
export type NegativeBalancePolicy = (typeof NEGATIVE_BALANCE_POLICIES)[number]

/**
 * When an order's points become spendable: at once when it is placed ("placed"), or only once its payment is
 * captured ("captured"; pending until then, so an authorized payment that is never captured never pays out).
 */
export const SPENDABLE_ON = ["placed", "captured"] as const
export type SpendableOn = (typeof SPENDABLE_ON)[number]

export interface RedemptionSettings {
  /** Points worth one major currency unit (1.00 USD, 1 JPY): 100 → 500 points are 5.00. */
  readonly points_per_currency_unit: number
  /** The smallest redemption, a multiple of step_points. */
  readonly min_points: number
  /** Redemptions come in multiples of this. */
  readonly step_points: number
  /** How long a redemption's discount code stays usable. */
  readonly code_valid_days: number
  /**
   * Paying with points in the cart: the largest share of the cart's goods (its items' total, never shipping) the
   * applied points may pay, in basis points (10000 = all of the goods, 5000 = half).
   */
  readonly max_cart_share_bps: number
}

export interface ExpirySettings {
  /** Earned points expire this many calendar months after they were credited (FIFO, see expiry.ts). */
  readonly after_months: number
}

export interface ReferralSettings {
  /** A new member may attach a friend's referral code within this many days of signing up (and before ordering). */
  readonly attach_within_days: number
}

export interface ProgramSettings {
  readonly negative_balance: NegativeBalancePolicy
  readonly redemption: RedemptionSettings
  /** null: points never expire. */
  readonly expiry: ExpirySettings | null
  /** Days between earning and being able to spend points; 0 = available at once. */
  readonly pending_days: number
  /** "captured": points stay pending until the order's payment is captured (and the pending_days period is over). */
  readonly spendable_on: SpendableOn
  /** IANA time zone of the store's calendar: local date/weekday/hour facts, action limits, birthdays. */
  readonly timezone: string
  /** Days before points expire that the member is reminded (`loyalty.points_expiring`, once per expiry date); 0: never. */
  readonly expiry_reminder_days: number
  /** Referral codes: how long after signing up a new member may attach one. */
  readonly referral: ReferralSettings
}

/** The settings of a rulebook without a program file; also the schema's defaults, so the two cannot differ. */
export const DEFAULT_PROGRAM: ProgramSettings = Object.freeze({
  negative_balance: "allow",
  redemption: Object.freeze({ points_per_currency_unit: 100, min_points: 500, step_points: 100, code_valid_days: 30, max_cart_share_bps: 10_000 }),
  expiry: Object.freeze({ after_months: 12 }),
  pending_days: 0,
  spendable_on: "placed",
  timezone: "UTC",
  expiry_reminder_days: 14,
  referral: Object.freeze({ attach_within_days: 30 }),
})

/** Bounds of each setting (inclusive), shared by the schema and the README. */
export const PROGRAM_LIMITS = Object.freeze({
  points_per_currency_unit: { min: 1, max: 1_000_000 },
  step_points: { min: 1, max: 1_000_000_000 },
  min_points: { min: 1, max: 1_000_000_000 },
  code_valid_days: { min: 1, max: 3650 },
  max_cart_share_bps: { min: 1, max: 10_000 },
  after_months: { min: 1, max: 120 },
  pending_days: { min: 0, max: 365 },
  attach_within_days: { min: 1, max: 365 },
  expiry_reminder_days: { min: 0, max: 365 },
})

/**
 * Whether an order's points are posted as pending: a pending period, or a capture the order is still waiting for
 * (`captured`: its payment is captured by the time the accrual is written).
 */
export function accruesPending(program: Pick<ProgramSettings, "pending_days" | "spendable_on">, captured: boolean): boolean {
  return program.pending_days > 0 || (program.spendable_on === "captured" && !captured)
}
