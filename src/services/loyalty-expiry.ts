import { TransactionBaseService } from "@medusajs/medusa"
import { EntityManager, MoreThan } from "typeorm"
import { expiryDue, expiryEntryDraft, expiryReminder, nextExpiry, pointsExpiringEvent } from "../domain/ledger/expiry"
import { LoyaltyAccount } from "../models/loyalty-account"
import { expiryMovements } from "../utils/expiry-lots-sql"
import LoyaltyLedgerService from "./loyalty-ledger"
import LoyaltyRulesService from "./loyalty-rules"
import { EntryKeys } from "../domain/ledger/entry-keys"

type InjectedDependencies = {
  manager: EntityManager
  loyaltyLedgerService: LoyaltyLedgerService
  loyaltyRulesService: LoyaltyRulesService
  eventBusService: { withTransaction(m: EntityManager): { emit(event: string, data: unknown): Promise<unknown> } }
}

export type ReminderCounts = {
  /** false when points never expire or `expiry_reminder_days` is 0. */
  enabled: boolean
  accounts_checked: number
  /** `loyalty.points_expiring` events emitted by this run (each member and expiry date once, ever). */
  emitted: number
}

export type ExpiryCounts = {
  /** false when the program has `"expiry": null` (points never expire): nothing was looked at. */
  enabled: boolean
  accounts_checked: number
  entries_posted: number
  points_expired: number
}


const PAGE = 200

/**
 * Points expiry, first in first out (domain/ledger/expiry.ts). Each account is handled in its own transaction under its
 * row lock, so one failing account neither rolls back the others nor holds every lock for the whole sweep.
 * Pending points have no clock: their lot starts when the activation entry makes them available.
 */
export default class LoyaltyExpiryService extends TransactionBaseService {
  static Events = {
    /** Points expire soon: { customer_id, points, expires_at, expires_on, days_left, balance }. */
    POINTS_EXPIRING: "loyalty.points_expiring",
  }

  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /** Posts the due expiry of every account with a positive balance, as of `now`. Idempotent per UTC day. */
  async expireAll(now: Date): Promise<ExpiryCounts> {
    const counts: ExpiryCounts = { enabled: false, accounts_checked: 0, entries_posted: 0, points_expired: 0 }
    const expiry = this.deps_.loyaltyRulesService.getRulebook().program.expiry
    if (!expiry) return counts
    counts.enabled = true
    let after = ""
    for (;;) {
      const accounts = await this.activeManager_.getRepository(LoyaltyAccount).find({
        select: { id: true, customer_id: true },
        where: { points_balance: MoreThan(0), customer_id: MoreThan(after) },
        order: { customer_id: "ASC" },
        take: PAGE,
      })
      for (const account of accounts) {
        counts.accounts_checked++
        const points = await this.expireAccount(account.customer_id, now, expiry.after_months)
        if (points > 0) {
          counts.entries_posted++
          counts.points_expired += points
        }
      }
      if (accounts.length < PAGE) return counts
      after = accounts[accounts.length - 1].customer_id
    }
  }

  /**
   * Reminds every member whose next points expire within the program's `expiry_reminder_days` of `now`: one
   * `loyalty.points_expiring` per member and expiry date, ever (a row in loyalty_expiry_reminder, written in the
   * event's transaction). Run by the expire job after expiring what is due.
   */
  async remindAll(now: Date): Promise<ReminderCounts> {
    const program = this.deps_.loyaltyRulesService.getRulebook().program
    const counts: ReminderCounts = { enabled: false, accounts_checked: 0, emitted: 0 }
    if (!program.expiry || program.expiry_reminder_days <= 0) return counts
    counts.enabled = true
    const months = program.expiry.after_months
    let after = ""
    for (;;) {
      const accounts = await this.activeManager_.getRepository(LoyaltyAccount).find({
        select: { id: true, customer_id: true, points_balance: true },
        where: { points_balance: MoreThan(0), customer_id: MoreThan(after) },
        order: { customer_id: "ASC" },
        take: PAGE,
      })
      for (const account of accounts) {
        counts.accounts_checked++
        if (await this.remindAccount(account.customer_id, now, months, program.expiry_reminder_days)) counts.emitted++
      }
      if (accounts.length < PAGE) return counts
      after = accounts[accounts.length - 1].customer_id
    }
  }

  private async remindAccount(customer_id: string, now: Date, months: number, days: number): Promise<boolean> {
    const run = async (manager: EntityManager) => {
      const reminder = expiryReminder(nextExpiry(await expiryMovements(manager, customer_id), now, months), now, days)
      if (!reminder) return false
      const [inserted] = await manager.query(
        `INSERT INTO loyalty_expiry_reminder (customer_id, expires_on, points, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING customer_id`,
        [customer_id, reminder.expires_on, reminder.points, reminder.expires_at]
      )
      if (!inserted) return false
      const [{ points_balance }] = await manager.query(`SELECT points_balance FROM loyalty_account WHERE customer_id = $1`, [customer_id])
      await this.deps_.eventBusService.withTransaction(manager).emit(
        LoyaltyExpiryService.Events.POINTS_EXPIRING,
        pointsExpiringEvent(customer_id, reminder, points_balance)
      )
      return true
    }
    return this.transactionManager_ ? await run(this.transactionManager_) : await this.manager_.transaction(run)
  }

  /**
   * The customer's next points to expire and when, as of `now`; null when nothing will expire (or the program
   * has no expiry). Without a live rulebook it answers null rather than failing the balance page.
   */
  async nextExpiryFor(customer_id: string, now: Date): Promise<{ points: number; expires_at: Date } | null> {
    const months = this.deps_.loyaltyRulesService.liveExpiryMonths()
    if (!months) return null
    // No account means no entries, hence no lots: null, as before.
    return nextExpiry(await expiryMovements(this.activeManager_, customer_id), now, months)
  }

  /** Expires one account under its lock; returns the points expired by this call (0 for nothing or a replay). */
  private async expireAccount(customer_id: string, now: Date, months: number): Promise<number> {
    const key = EntryKeys.expiry(customer_id, now)
    const run = async (manager: EntityManager) => {
      const posted = await this.deps_.loyaltyLedgerService.withTransaction(manager).postUnderLock(customer_id, key, async (ctx) => {
        const due = expiryDue(await expiryMovements(ctx.manager, customer_id), now, months)
        if (due <= 0) return null
        return expiryEntryDraft({ customer_id, idempotency_key: key, due_points: due, now, after_months: months })
      })
      return posted.entry && !posted.replayed ? -posted.entry.points : 0
    }
    return this.transactionManager_ ? await run(this.transactionManager_) : await this.manager_.transaction(run)
  }
}
