import { TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { LoyaltyError, LoyaltyErrorCodes } from "../domain/shared/errors"
import { accruesPending } from "../domain/rules/program"
import { isOrderCaptured } from "../utils/order-capture-sql"
import { checkAttach, normalizeReferralCode, referralAwards, referralCode, referralReference, referralReversalKey, type ReferralRole } from "../domain/program/referral"
import type LoyaltyActionService from "./loyalty-action"
import type { ActionOutcome } from "./loyalty-action"
import type LoyaltyLedgerService from "./loyalty-ledger"
import type LoyaltyRulesService from "./loyalty-rules"
import { EntryKeys } from "../domain/ledger/entry-keys"
import { actionReversalEntryDraft } from "../domain/ledger/action"

type InjectedDependencies = {
  manager: EntityManager
  loyaltyActionService: LoyaltyActionService
  loyaltyLedgerService: LoyaltyLedgerService
  loyaltyRulesService: LoyaltyRulesService
  eventBusService: { withTransaction(m: EntityManager): { emit(event: string, data: unknown): Promise<unknown> } }
}

export type Referral = { referred_id: string; referrer_id: string; code: string; attached_at: Date }

/**
 * Referrals: each member's code, a new member attaching a friend's code (once, within the program's window, before
 * ordering), both sides' `referral` awards on the referred member's first order, and taking them back (new `action`
 * entries of the opposite sign, never edits) when that order is canceled.
 */
export default class LoyaltyReferralService extends TransactionBaseService {
  static Events = {
    /** A referral award taken back: { customer_id, entry_id, action_id, order_id, role, points }. */
    POINTS_REVERSED: "loyalty.points_reversed",
  }

  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /** The member's referral code (the same one every time), stored so that a typed code finds its owner. */
  async codeOf(customer_id: string): Promise<string> {
    return await this.atomicPhase_(async (manager) => {
      await assertMember(manager, customer_id)
      const code = referralCode(customer_id)
      await manager.query(`INSERT INTO loyalty_referral_code (code, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [code, customer_id])
      const [stored] = await manager.query(`SELECT code FROM loyalty_referral_code WHERE customer_id = $1`, [customer_id])
      if (!stored) throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `referral code ${code} collides with another member's`)
      return stored.code as string
    })
  }

  /** The code the member attached, or null. */
  async attachedOf(customer_id: string): Promise<Referral | null> {
    const [row] = await this.activeManager_.query(`SELECT referred_id, referrer_id, code, attached_at FROM loyalty_referral WHERE referred_id = $1`, [customer_id])
    return (row as Referral | undefined) ?? null
  }

  /** Attaches a friend's code to a new member: once, ever; never one's own; within the window; before ordering. */
  async attach(referred_id: string, input: string, now: Date = new Date()): Promise<Referral> {
    return await this.atomicPhase_(async (manager) => {
      const customer = await assertMember(manager, referred_id)
      const code = normalizeReferralCode(input)
      const [owner] = await manager.query(`SELECT customer_id FROM loyalty_referral_code WHERE code = $1`, [code])
      const referrer_id: string | null = owner?.customer_id ?? (code === referralCode(referred_id) ? referred_id : null)
      const [{ orders }] = await manager.query(`SELECT count(*)::int AS orders FROM "order" WHERE customer_id = $1`, [referred_id])
      const attached = await this.withTransaction(manager).attachedOf(referred_id)
      const program = this.deps_.loyaltyRulesService.getRulebook().program
      const referrer = checkAttach({
        referred_id, referrer_id, code, signed_up_at: new Date(customer.created_at), attached_code: attached?.code ?? null,
        orders, attach_within_days: program.referral.attach_within_days, now,
      })
      const [row] = await manager.query(
        `INSERT INTO loyalty_referral (referred_id, referrer_id, code, attached_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (referred_id) DO NOTHING RETURNING referred_id, referrer_id, code, attached_at`,
        [referred_id, referrer, code, now]
      )
      if (!row) {
        // A concurrent attach won: the same refusal as a second attach.
        throw new LoyaltyError(LoyaltyErrorCodes.REFERRAL_ALREADY_ATTACHED, "A referral code is already attached to this account; it cannot be changed")
      }
      return row as Referral
    })
  }

  /**
   * order.placed: when it is the first order of a member who attached a code, both sides report the `referral`
   * action (references "referrer:<referred>" and "referred:<referred>": once each, ever). Under a program with
   * pending_days or spendable_on "captured" the awards are pending, activated with the order's own points
   * (LoyaltyActivationService). Skipped without action rules, for a canceled order and for any later order.
   */
  async awardFirstOrder(order_id: string): Promise<ActionOutcome[]> {
    return await this.atomicPhase_(async (manager) => {
      const has_action_rules = (this.deps_.loyaltyRulesService.findRulebook()?.actions.length ?? 0) > 0
      if (!has_action_rules) return []
      const [row] = await manager.query(
        `SELECT o.id, o.customer_id, o.created_at, o.status, r.referrer_id,
           (SELECT o2.id FROM "order" o2 WHERE o2.customer_id = o.customer_id ORDER BY o2.created_at, o2.id LIMIT 1) AS first_id
         FROM "order" o JOIN loyalty_referral r ON r.referred_id = o.customer_id WHERE o.id = $1`,
        [order_id]
      )
      if (!row || row.first_id !== order_id || row.status === "canceled") return []
      const actions = this.deps_.loyaltyActionService.withTransaction(manager)
      const program = this.deps_.loyaltyRulesService.getRulebook().program
      // The awards wait like the order's own points (pending_days, spendable_on "captured"), decided as the accrual does.
      const pending = accruesPending(program, program.spendable_on === "captured" && (await isOrderCaptured(manager, order_id)))
      const awards = referralAwards({
        order_id, order_status: row.status, order_created_at: row.created_at, first_order_id: row.first_id,
        referred_id: row.customer_id, referrer_id: row.referrer_id, referrer_is_member: await isMember(manager, row.referrer_id),
        has_action_rules, pending: pending ? { pending_days: program.pending_days, spendable_on: program.spendable_on } : null,
      })
      const outcomes: ActionOutcome[] = []
      for (const { customer_id, type, reference, occurred_at, properties, pending: terms } of awards) {
        outcomes.push(await actions.report({ customer_id, type, reference, occurred_at, properties, pending: terms }))
      }
      return outcomes
    })
  }

  /**
   * The reconcile sweep for referrals (order.placed / order.canceled lost): the window's first orders of referred
   * members without their awards get them, canceled ones with awards not taken back lose them, through the same
   * methods as the subscribers, one transaction per order. Idempotent: a second run finds nothing.
   */
  async reconcile(window: { since: Date; until: Date }): Promise<{ awarded: number; reversed: number }> {
    const counts = { awarded: 0, reversed: 0 }
    for (const { id } of await this.manager_.query(UNAWARDED_FIRST_ORDERS_SQL, [window.since, window.until])) {
      const outcomes = await this.awardFirstOrder(id)
      counts.awarded += outcomes.filter((o) => o.status === "awarded" && !o.replayed).length
    }
    for (const { id } of await this.manager_.query(UNREVERSED_CANCELS_SQL, [window.since, window.until])) {
      counts.reversed += await this.reverseOrder(id)
    }
    return counts
  }

  /**
   * order.canceled: the referral awards of that order (both sides) are taken back, each by a new `action` entry of
   * the opposite sign under a deterministic key (a redelivery replays): from pending when the award was still
   * pending, else from the balance, with the program's balance floor.
   */
  async reverseOrder(order_id: string): Promise<number> {
    return await this.atomicPhase_(async (manager) => {
      const awarded: Array<{ id: string; customer_id: string; points: number; entry_id: string; properties: { role: ReferralRole; referred_id: string } }> =
        await manager.query(
          `SELECT id, customer_id, points, entry_id, properties FROM loyalty_action
           WHERE type = 'referral' AND status = 'awarded' AND properties->>'order_id' = $1 ORDER BY id`,
          [order_id]
        )
      if (awarded.length === 0) return 0
      const floor = this.deps_.loyaltyRulesService.getRulebook().program.negative_balance
      const ledger = this.deps_.loyaltyLedgerService.withTransaction(manager)
      let reversed = 0
      for (const a of awarded) {
        const { role, referred_id } = a.properties
        const key = referralReversalKey(referred_id, role)
        // Decided under the member's lock: an award still pending (not activated) is taken out of pending only.
        const posted = await ledger.postUnderLock(a.customer_id, key, async (ctx) =>
          actionReversalEntryDraft({
            award: { action_id: a.id, customer_id: a.customer_id, entry_id: a.entry_id, points: a.points, type: "referral", reference: referralReference(referred_id, role), properties: a.properties },
            still_pending: await isPendingAward(ctx.manager, a.entry_id),
            floor,
            why: `order ${order_id} canceled`,
            details: { order_id },
          })
        )
        if (posted.entry && !posted.replayed) {
          reversed++
          await this.deps_.eventBusService.withTransaction(manager).emit(LoyaltyReferralService.Events.POINTS_REVERSED, {
            customer_id: a.customer_id, entry_id: posted.entry.id, action_id: a.id, order_id, role, points: posted.entry.points,
            pending_points: posted.entry.pending_delta,
          })
        }
      }
      return reversed
    })
  }
}

/** The award entry is pending and has not been activated (nothing under its activation key). */
/** First orders of referred members, created in the window, not canceled, whose referred side has no action recorded. */
const UNAWARDED_FIRST_ORDERS_SQL = `
  SELECT o.id FROM loyalty_referral r JOIN "order" o ON o.customer_id = r.referred_id
   WHERE o.created_at >= $1 AND o.created_at < $2 AND o.status <> 'canceled'
     AND NOT EXISTS (SELECT 1 FROM "order" o2 WHERE o2.customer_id = o.customer_id AND (o2.created_at, o2.id) < (o.created_at, o.id))
     AND NOT EXISTS (SELECT 1 FROM loyalty_action a WHERE a.type = 'referral' AND a.reference = 'referred:' || r.referred_id)
   ORDER BY o.created_at, o.id`

/** Orders canceled in the window with a referral award not taken back (referralReversalKey spelled in SQL). */
const UNREVERSED_CANCELS_SQL = `
  SELECT DISTINCT o.id, coalesce(o.canceled_at, o.updated_at) AS at FROM loyalty_action a JOIN "order" o ON o.id = a.properties->>'order_id'
   WHERE a.type = 'referral' AND a.status = 'awarded' AND o.status = 'canceled'
     AND coalesce(o.canceled_at, o.updated_at) >= $1 AND coalesce(o.canceled_at, o.updated_at) < $2
     AND NOT EXISTS (SELECT 1 FROM loyalty_ledger_entry e WHERE e.idempotency_key = 'action:referral:' || a.reference || ':reversed')
   ORDER BY at, o.id`

async function isPendingAward(manager: EntityManager, entry_id: string): Promise<boolean> {
  const [award] = await manager.query(`SELECT idempotency_key, pending_delta FROM loyalty_ledger_entry WHERE id = $1`, [entry_id])
  if (!award || Number(award.pending_delta) <= 0) return false
  const [activated] = await manager.query(`SELECT 1 FROM loyalty_ledger_entry WHERE idempotency_key = $1`, [EntryKeys.awardActivation(award.idempotency_key)])
  return !activated
}

async function isMember(manager: EntityManager, customer_id: string): Promise<boolean> {
  const [row] = await manager.query(`SELECT has_account FROM customer WHERE id = $1 AND deleted_at IS NULL`, [customer_id])
  return row?.has_account === true
}

/** Only registered customers have referral codes and attach them. */
async function assertMember(manager: EntityManager, customer_id: string): Promise<{ created_at: Date }> {
  const [row] = await manager.query(`SELECT has_account, created_at FROM customer WHERE id = $1 AND deleted_at IS NULL`, [customer_id])
  if (!row) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Customer ${customer_id} was not found`, { customer_id })
  if (!row.has_account) throw new LoyaltyError(LoyaltyErrorCodes.ACTION_NOT_ALLOWED, `Customer ${customer_id} has no account (a guest)`, { customer_id })
  return row
}
