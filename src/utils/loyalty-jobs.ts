import { reconcileWindow, type ReconcileResult } from "../domain/ledger/reconcile"
import type { BirthdayCounts } from "../services/loyalty-birthday"
import type LoyaltyBirthdayService from "../services/loyalty-birthday"
import type { ActivationCounts } from "../services/loyalty-activation"
import type LoyaltyActivationService from "../services/loyalty-activation"
import type { ExpiryCounts, ReminderCounts } from "../services/loyalty-expiry"
import type LoyaltyExpiryService from "../services/loyalty-expiry"
import type LoyaltyReconcileService from "../services/loyalty-reconcile"
import type LoyaltyRedemptionService from "../services/loyalty-redemption"
import type LoyaltyReferralService from "../services/loyalty-referral"
import type { TierCounts } from "../services/loyalty-tier"
import type LoyaltyTierService from "../services/loyalty-tier"

/** What the periodic jobs need from a container: Medusa's awilix container or a request scope. */
export type Resolver = { resolve<T = unknown>(name: string): T; hasRegistration?(name: string): boolean }

export type ExpireJobResult = {
  /** Redemption codes past their date voided (points given back) first, so they are not expired with the rest. */
  redemptions: Record<string, unknown> | null
  expiry: ExpiryCounts
  /** Reminders of points expiring within the program's expiry_reminder_days, after the expiry. */
  reminders: ReminderCounts
}

/**
 * The expire job, shared by the scheduled job, the admin route and the CLI: void expired redemption codes (when
 * the redemption capability is installed), then expire points as of `now`.
 */
export async function runExpireJob(container: Resolver, now: Date): Promise<ExpireJobResult> {
  const redemption = optional<{ voidExpired(now: Date): Promise<Record<string, unknown>> }>(container, "loyaltyRedemptionService")
  const redemptions = redemption && typeof redemption.voidExpired === "function" ? await redemption.voidExpired(now) : null
  const service = container.resolve<LoyaltyExpiryService>("loyaltyExpiryService")
  const expiry = await service.expireAll(now)
  const reminders = await service.remindAll(now)
  return { redemptions, expiry, reminders }
}

/** The activation job: pending points of orders whose pending period is over (and payment captured, when they wait for it) become available. */
export async function runActivateJob(container: Resolver, now: Date): Promise<ActivationCounts> {
  return await container.resolve<LoyaltyActivationService>("loyaltyActivationService").activateDue(now)
}

/** The birthdays job: the `birthday` action for every member whose birthday is `now`'s store-local date (once a year). */
export async function runBirthdaysJob(container: Resolver, now: Date): Promise<BirthdayCounts> {
  return await container.resolve<LoyaltyBirthdayService>("loyaltyBirthdayService").awardDue(now)
}

/** The tiers job: every member's tier re-evaluated as of `now` (window facts, grace periods, members from before install). */
export async function runTiersJob(container: Resolver, now: Date): Promise<TierCounts> {
  return await container.resolve<LoyaltyTierService>("loyaltyTierService").reevaluateAll(now)
}

/** Reconcile defaults: the route and the CLI look 30 days back; the hourly job 7 days, skipping the last minutes. */
export const ReconcileDefaults = {
  days: 30,
  job: { days: 7, settle_minutes: 10, limit: 5000 },
} as const

export type ReconcileJobInput = { since?: Date; until?: Date; limit?: number | null; default_days?: number }

/**
 * The reconcile job: the order events of the window (default: the last 30 days up to `now`) that the ledger has not
 * seen, applied as their subscribers would have applied them. Idempotent: a second run applies nothing.
 */
export async function runReconcileJob(container: Resolver, input: ReconcileJobInput, now: Date): Promise<ReconcileResult> {
  const window = reconcileWindow({ since: input.since, until: input.until, now, default_days: input.default_days ?? ReconcileDefaults.days })
  const result = await container.resolve<LoyaltyReconcileService>("loyaltyReconcileService").reconcile({ ...window, limit: input.limit ?? null })
  // Codes are swept whatever the window: a used code left reserved can be spent again until it expires.
  const redemption = optional<LoyaltyRedemptionService>(container, "loyaltyRedemptionService")
  if (redemption) result.redemptions_settled = (await redemption.settleUsed(now)).settled
  const referral = optional<LoyaltyReferralService>(container, "loyaltyReferralService")
  if (referral) result.referrals = await referral.reconcile(window)
  return result
}

function optional<T>(container: Resolver, name: string): T | null {
  if (typeof container.hasRegistration === "function") {
    return container.hasRegistration(name) ? container.resolve<T>(name) : null
  }
  try {
    return container.resolve<T>(name)
  } catch {
    return null
  }
}

type JobLogger = { info(message: string): void; warn(message: string): void; error(message: string): void }

/**
 * The body of every scheduled job: runs `work`, logs its summary (as a warning when `work` says so), and logs then
 * rethrows a failure so Medusa's job queue records it. One place for the jobs' logging shape.
 */
export async function runScheduled(
  container: Resolver,
  name: string,
  work: (logger: JobLogger) => Promise<{ summary: unknown; warn?: boolean }>
): Promise<void> {
  const logger = container.resolve<JobLogger>("logger")
  try {
    const { summary, warn } = await work(logger)
    ;(warn ? logger.warn : logger.info).call(logger, `loyalty: ${name} job: ${JSON.stringify(summary)}`)
  } catch (e) {
    logger.error(`loyalty: ${name} job failed: ${(e as Error).message}`)
    throw e
  }
}
