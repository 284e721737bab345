import { Logger, TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { birthdayChanged, birthdayDecision, birthdaysOn, birthdayValue, countBirthday, emptyBirthdayCounts, type BirthdayCounts } from "../domain/program/birthday"
import { isLoyaltyError, LoyaltyErrorCodes } from "../domain/shared/errors"
import type LoyaltyActionService from "./loyalty-action"
import type LoyaltyRulesService from "./loyalty-rules"

type InjectedDependencies = {
  manager: EntityManager
  logger: Logger
  loyaltyActionService: LoyaltyActionService
  loyaltyRulesService: LoyaltyRulesService
  eventBusService: { withTransaction(m: EntityManager): { emit(event: string, data: unknown): Promise<unknown> } }
}

export type { BirthdayCounts }

/**
 * Birthdays: records when a member's `metadata.birthday` is set or changed, and awards the `birthday` action once a
 * year on the member's birthday in the program's time zone (reference "<customer>:<year>"), never for a birthday
 * set or changed in the last 30 days.
 */
export default class LoyaltyBirthdayService extends TransactionBaseService {
  static Events = {
    /** A birthday earned points: { customer_id, entry_id, action_id, year, points }. */
    BIRTHDAY_BONUS: "loyalty.birthday_bonus",
  }

  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /**
   * customer.created / customer.updated: one row when the birthday differs from the one in force at the event's
   * time (a first birthday is a change; a redelivery or an update of other fields records nothing). `at`: the
   * customer's updated_at (created_at), so a redelivery does not move the change later, and an event delivered
   * late (the local event bus does not keep order: customer.created can arrive after the first update) is compared
   * with the state as of its own time, not with a later change.
   */
  async recordChange(customer: { id: string; metadata?: unknown; updated_at?: string | Date; created_at?: string | Date }): Promise<boolean> {
    return await this.atomicPhase_(async (manager) => {
      const current = birthdayValue(customer.metadata)
      const at = new Date(customer.updated_at ?? customer.created_at ?? Date.now())
      // One writer per customer at a time: concurrent deliveries of one update record it once.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('loyalty_birthday:' || $1))`, [customer.id])
      const [before] = await manager.query(
        `SELECT birthday FROM loyalty_birthday_change WHERE customer_id = $1 AND changed_at <= $2 ORDER BY changed_at DESC, id DESC LIMIT 1`,
        [customer.id, at]
      )
      if (!birthdayChanged(before, current)) return false
      await manager.query(`INSERT INTO loyalty_birthday_change (customer_id, birthday, changed_at) VALUES ($1, $2, $3)`, [customer.id, current, at])
      return true
    })
  }

  /** The daily (hourly-safe) run: every member whose birthday is today in the program's time zone, as of `now`. */
  async awardDue(now: Date): Promise<BirthdayCounts> {
    const rulebook = this.deps_.loyaltyRulesService.getRulebook()
    const timezone = rulebook.program.timezone
    const { local_date, month_days } = birthdaysOn(now, timezone)
    const counts = emptyBirthdayCounts(local_date)
    if (rulebook.actions.length === 0) return counts
    const members: Array<{ id: string; birthday: string; last_changed_at: Date | null; decided: boolean }> = await this.manager_.query(
      `SELECT c.id, c.metadata->>'birthday' AS birthday,
         (SELECT max(changed_at) FROM loyalty_birthday_change bc WHERE bc.customer_id = c.id) AS last_changed_at,
         EXISTS (SELECT 1 FROM loyalty_action a WHERE a.type = 'birthday' AND a.reference = c.id || ':' || $2) AS decided
       FROM customer c
       WHERE c.has_account AND c.deleted_at IS NULL AND right(trim(c.metadata->>'birthday'), 5) = ANY($1)
       ORDER BY c.id`,
      [month_days, local_date.slice(0, 4)]
    )
    for (const m of members) {
      const decision = birthdayDecision({ customer_id: m.id, birthday: m.birthday, last_changed_at: m.last_changed_at && new Date(m.last_changed_at), now, timezone })
      if (!decision.award) {
        countBirthday(counts, decision, null)
        continue
      }
      if (m.decided) {
        countBirthday(counts, decision, "already")
        continue
      }
      try {
        const outcome = await this.atomicPhase_(async (manager) => {
          const result = await this.deps_.loyaltyActionService.withTransaction(manager).report({
            customer_id: m.id, type: "birthday", reference: decision.reference, occurred_at: now.toISOString(), properties: { birthday: m.birthday.trim() },
          })
          if (result.entry && !result.replayed) {
            await this.deps_.eventBusService.withTransaction(manager).emit(LoyaltyBirthdayService.Events.BIRTHDAY_BONUS, {
              customer_id: m.id, entry_id: result.entry.id, action_id: result.action.id, year: Number(local_date.slice(0, 4)), points: result.entry.points,
            })
          }
          return result
        })
        countBirthday(counts, decision, outcome.replayed ? "already" : outcome.status)
      } catch (e) {
        // A concurrent run recorded it first (its occurred_at differs): already decided.
        if (isLoyaltyError(e) && e.code === LoyaltyErrorCodes.IDEMPOTENCY_CONFLICT) {
          countBirthday(counts, decision, "already")
          continue
        }
        countBirthday(counts, decision, "failed")
        this.deps_.logger.error(`loyalty: birthday of ${m.id} failed: ${(e as Error).message}`)
      }
    }
    return counts
  }
}
