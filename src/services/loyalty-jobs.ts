import { TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { ReconcileDefaults, reconcileWindow, type ReconcileResult } from "../domain/ledger/reconcile"
import type LoyaltyActivationService from "./loyalty-activation"
import type { ActivationCounts } from "./loyalty-activation"
import type LoyaltyBirthdayService from "./loyalty-birthday"
import type { BirthdayCounts } from "./loyalty-birthday"
import type LoyaltyExpiryService from "./loyalty-expiry"
import type { ExpiryCounts, ReminderCounts } from "./loyalty-expiry"
import type LoyaltyReconcileService from "./loyalty-reconcile"
import type LoyaltyRedemptionService from "./loyalty-redemption"
import type { VoidCounts } from "./loyalty-redemption"
import type LoyaltyReferralService from "./loyalty-referral"
import type LoyaltyTierService from "./loyalty-tier"
import type { TierCounts } from "./loyalty-tier"

type InjectedDependencies = {
  manager: EntityManager
  loyaltyExpiryService: LoyaltyExpiryService
  loyaltyActivationService: LoyaltyActivationService
  loyaltyBirthdayService: LoyaltyBirthdayService
  loyaltyTierService: LoyaltyTierService
  loyaltyReconcileService: LoyaltyReconcileService
  loyaltyRedemptionService?: LoyaltyRedemptionService
  loyaltyReferralService?: LoyaltyReferralService
}

export type ExpireJobResult = {
  /** Redemption codes past their date voided (points given back) first, so they are not expired with the rest. */
  redemptions: VoidCounts | null
  expiry: ExpiryCounts
  /** Reminders of points expiring within the program's expiry_reminder_days, after the expiry. */
  reminders: ReminderCounts
}

export type ReconcileJobInput = { since?: Date; until?: Date; limit?: number | null; default_days?: number }

/**
 * The periodic jobs, one method each, shared by the scheduled jobs, the admin job routes and the CLI: each runs the
 * services that do the work, in the order the work needs (codes before points, reconcile before code settlement).
 */
export default class LoyaltyJobsService extends TransactionBaseService {
  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /** Void expired redemption codes, then expire points as of `now`, then remind members whose points expire soon. */
  async expire(now: Date): Promise<ExpireJobResult> {
    const redemption = this.optional("loyaltyRedemptionService")
    const redemptions = redemption ? await redemption.voidExpired(now) : null
    const expiry = await this.deps_.loyaltyExpiryService.expireAll(now)
    const reminders = await this.deps_.loyaltyExpiryService.remindAll(now)
    return { redemptions, expiry, reminders }
  }

  /** Pending points of orders whose pending period is over (and payment captured, when they wait for it) become available. */
  async activate(now: Date): Promise<ActivationCounts> {
    return await this.deps_.loyaltyActivationService.activateDue(now)
  }

  /** The `birthday` action for every member whose birthday is `now`'s store-local date (once a year). */
  async birthdays(now: Date): Promise<BirthdayCounts> {
    return await this.deps_.loyaltyBirthdayService.awardDue(now)
  }

  /** Every member's tier re-evaluated as of `now` (window facts, grace periods, members from before install). */
  async tiers(now: Date): Promise<TierCounts> {
    return await this.deps_.loyaltyTierService.reevaluateAll(now)
  }

  /**
   * The order events of the window (default: the last 30 days up to `now`) that the ledger has not seen, applied as
   * their subscribers would have applied them; then used codes left reserved are settled and missed referrals
   * attached. Idempotent: a second run applies nothing.
   */
  async reconcile(input: ReconcileJobInput, now: Date): Promise<ReconcileResult> {
    const window = reconcileWindow({ since: input.since, until: input.until, now, default_days: input.default_days ?? ReconcileDefaults.days })
    const result = await this.deps_.loyaltyReconcileService.reconcile({ ...window, limit: input.limit ?? null })
    // Codes are swept whatever the window: a used code left reserved can be spent again until it expires.
    const redemption = this.optional("loyaltyRedemptionService")
    if (redemption) result.redemptions_settled = (await redemption.settleUsed(now)).settled
    const referral = this.optional("loyaltyReferralService")
    if (referral) result.referrals = await referral.reconcile(window)
    return result
  }

  /** A service of the plugin that a trimmed container (the CLI's) may not register. */
  private optional<K extends "loyaltyRedemptionService" | "loyaltyReferralService">(name: K): InjectedDependencies[K] | null {
    try {
      return this.deps_[name] ?? null
    } catch {
      return null
    }
  }
}
