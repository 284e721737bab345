import { TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { activationDecision, activationEntryDraft, type ActivationFacts, type PendingAwardTerms } from "../domain/ledger/activation"
import { orderLedgerState } from "../domain/ledger/order-ledger"
import { SPENDABLE_ON, type SpendableOn } from "../domain/rules/program"
import { CAPTURED_AT_SQL } from "../utils/order-capture-sql"
import LoyaltyLedgerService from "./loyalty-ledger"
import LoyaltyRulesService from "./loyalty-rules"
import { EntryKeys } from "../domain/ledger/entry-keys"

type InjectedDependencies = {
  manager: EntityManager
  loyaltyLedgerService: LoyaltyLedgerService
  loyaltyRulesService: LoyaltyRulesService
}

export type ActivationCounts = {
  orders_checked: number
  /** Pending action awards (referral awards tied to an order) looked at. */
  awards_checked: number
  entries_posted: number
  points_activated: number
}

/** A pending action award (see PendingAwardTerms) with the facts of the order it waits on. */
type PendingAward = {
  entry_id: string
  customer_id: string
  idempotency_key: string
  points: number
  reference: string
  terms: PendingAwardTerms
  gone_out_at: Date | null
  captured_at: Date | null
}

type PendingOrder = {
  order_id: string
  customer_id: string
  pending_days: number | null
  spendable_on: string | null
  gone_out_at: Date | null
  captured_at: Date | null
}

/** When everything in order `o` went out (see the class comment), as one SQL expression; NULL while something has not. */
const GONE_OUT_AT_SQL = `(CASE WHEN o.status = 'completed' OR NOT EXISTS (
    SELECT 1 FROM line_item li WHERE li.order_id = o.id AND coalesce(li.fulfilled_quantity, 0) < li.quantity)
  THEN coalesce((SELECT max(coalesce(f.shipped_at, f.created_at)) FROM fulfillment f WHERE f.order_id = o.id AND f.canceled_at IS NULL),
                CASE WHEN o.status = 'completed' THEN o.updated_at END)
END)`

/**
 * Pending points becoming available. The conditions (domain/ledger/activation.ts) are those stored on the accrual: its
 * pending_days (falling back to today's program for accruals that did not store it) and its spendable_on (an
 * accrual without one predates the setting and never waited for a capture). The facts come from Medusa:
 * - "gone out": every line item of the order is fulfilled (fulfilled_quantity ≥ quantity), whatever the
 *   fulfillment_status wording (partially_shipped, returned …), or the order is completed; never when canceled;
 *   since the latest non-canceled fulfillment's shipped_at, or its created_at when it was not shipped (so registering
 *   a shipment later restarts the clock at the shipment); a completed order without any fulfillment uses updated_at;
 * - "captured": CAPTURED_AT_SQL.
 * The amount is what the order still has pending: earned minus what cancels and refunds already took out of
 * pending (orderLedgerState), posted once under the key `order:{id}:activation`. Two ways in: the activation job
 * (every pending order: repairs a lost order.payment_captured) and order.payment_captured (one order).
 * Pending action awards tied to an order (referral awards, possibly another member's) activate on the same facts,
 * each under its own member's lock and key `EntryKeys.awardActivation(award key)`, unless already taken back.
 */
export default class LoyaltyActivationService extends TransactionBaseService {
  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  async activateDue(now: Date): Promise<ActivationCounts> {
    const counts: ActivationCounts = { orders_checked: 0, awards_checked: 0, entries_posted: 0, points_activated: 0 }
    const tally = (points: number) => {
      if (points <= 0) return
      counts.entries_posted++
      counts.points_activated += points
    }
    for (const c of await this.pendingOrders(this.activeManager_, null)) {
      counts.orders_checked++
      if (!activationDecision(this.factsOf(c), now).due) continue
      tally(await this.inTransaction((m) => this.activateLocked(m, c.order_id, c.customer_id, now)))
    }
    for (const a of await pendingAwards(this.activeManager_, { order_id: null, entry_id: null })) {
      counts.awards_checked++
      if (!activationDecision(awardFacts(a), now).due) continue
      tally(await this.inTransaction((m) => this.activateAwardLocked(m, a, now)))
    }
    return counts
  }

  /**
   * order.payment_captured: activates the order's pending points when the capture was the last condition. Returns
   * the points activated (0: nothing pending, or still waiting). Members' orders only.
   */
  async activateOrder(order_id: string, now: Date): Promise<number> {
    let points = 0
    for (const a of await pendingAwards(this.activeManager_, { order_id, entry_id: null })) {
      points += await this.inTransaction((m) => this.activateAwardLocked(m, a, now))
    }
    const [member] = await this.activeManager_.query(
      `SELECT o.customer_id FROM "order" o JOIN customer c ON c.id = o.customer_id AND c.has_account AND c.deleted_at IS NULL
        WHERE o.id = $1`,
      [order_id]
    )
    if (!member) return points
    return points + (await this.inTransaction((m) => this.activateLocked(m, order_id, member.customer_id, now)))
  }

  /**
   * One pending award, decided again under its member's lock: not taken back meanwhile (the order's cancel posts
   * under `terms.reversal_key`, under the same lock), the order still not canceled, and the conditions hold.
   */
  private async activateAwardLocked(manager: EntityManager, award: PendingAward, now: Date): Promise<number> {
    const key = EntryKeys.awardActivation(award.idempotency_key)
    const ledger = this.deps_.loyaltyLedgerService.withTransaction(manager)
    const posted = await ledger.postUnderLock(award.customer_id, key, async (ctx) => {
      const [current] = await pendingAwards(ctx.manager, { order_id: null, entry_id: award.entry_id })
      if (!current) return null
      const facts = awardFacts(current)
      const decision = activationDecision(facts, now)
      if (!decision.due) return null
      return activationEntryDraft({
        customer_id: current.customer_id, idempotency_key: key, points: current.points, facts, eligible_since: decision.eligible_since,
        award: { entry_id: current.entry_id, order_id: current.terms.order_id, reference: current.reference },
      })
    })
    return posted.entry && !posted.replayed ? posted.entry.points : 0
  }

  /**
   * Everything is decided under the account lock: an accrual being written concurrently (order.placed and
   * order.payment_captured handled at once) is either committed and seen here, or sees the capture itself.
   */
  private async activateLocked(manager: EntityManager, order_id: string, customer_id: string, now: Date): Promise<number> {
    const key = EntryKeys.activation(order_id)
    const ledger = this.deps_.loyaltyLedgerService.withTransaction(manager)
    const posted = await ledger.postUnderLock(customer_id, key, async (ctx) => {
      const state = orderLedgerState(await ctx.entriesOfOrder(order_id))
      const remaining = state.earned_points - state.clawed_points
      if (!state.pending || state.canceled || remaining <= 0) return null
      const [order] = await this.pendingOrders(ctx.manager, order_id)
      if (!order) return null
      const facts = this.factsOf(order)
      const decision = activationDecision(facts, now)
      if (!decision.due) return null
      return activationEntryDraft({ customer_id, idempotency_key: key, points: remaining, facts, eligible_since: decision.eligible_since, order_id })
    }, { order_id })
    return posted.entry && !posted.replayed ? posted.entry.points : 0
  }

  private factsOf(c: PendingOrder): ActivationFacts {
    return {
      pending_days: c.pending_days ?? this.deps_.loyaltyRulesService.getRulebook().program.pending_days,
      spendable_on: SPENDABLE_ON.includes(c.spendable_on as SpendableOn) ? (c.spendable_on as SpendableOn) : "placed",
      gone_out_at: c.gone_out_at,
      captured_at: c.captured_at,
    }
  }

  private async inTransaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.transactionManager_ ? await work(this.transactionManager_) : await this.manager_.transaction(work)
  }

  /**
   * Orders (all, or just `order_id`) with pending points left (Σ pending_delta > 0, no activation yet), not
   * canceled, with what the accrual was awarded under and the moments they went out and were captured.
   */
  private async pendingOrders(manager: EntityManager, order_id: string | null): Promise<PendingOrder[]> {
    const rows: PendingOrder[] = await manager.query(`
      WITH pending AS (
        SELECT e.order_id, min(e.customer_id) AS customer_id,
               max(CASE WHEN e.kind = 'accrual' AND (e.details->>'pending_days') ~ '^[0-9]+$'
                        THEN (e.details->>'pending_days')::int END) AS pending_days,
               max(CASE WHEN e.kind = 'accrual' THEN e.details->>'spendable_on' END) AS spendable_on
          FROM loyalty_ledger_entry e
         WHERE e.order_id IS NOT NULL AND ($1::text IS NULL OR e.order_id = $1)
         GROUP BY e.order_id
        HAVING bool_or(e.kind = 'accrual' AND e.pending_delta > 0)
           AND NOT bool_or(e.kind = 'activation')
           AND sum(e.pending_delta) > 0
      )
      SELECT p.order_id, p.customer_id, p.pending_days, p.spendable_on,
             ${GONE_OUT_AT_SQL} AS gone_out_at,
             ${CAPTURED_AT_SQL} AS captured_at
        FROM pending p
        JOIN "order" o ON o.id = p.order_id
       WHERE o.status <> 'canceled'
       ORDER BY p.order_id`, [order_id])
    return rows.map((r) => ({ ...r, pending_days: r.pending_days === null ? null : Number(r.pending_days) }))
  }
}

/**
 * Pending action awards (all, those of one order, or one entry): posted pending, neither activated nor taken back,
 * their order not canceled. The partial index loyalty_ledger_entry_pending_award keeps the scan to such entries.
 */
async function pendingAwards(manager: EntityManager, by: { order_id: string | null; entry_id: string | null }): Promise<PendingAward[]> {
  const rows = await manager.query(`
    SELECT e.id AS entry_id, e.customer_id, e.idempotency_key, e.pending_delta AS points, e.reason AS reference,
           e.details->'pending' AS terms, ${GONE_OUT_AT_SQL} AS gone_out_at, ${CAPTURED_AT_SQL} AS captured_at
      FROM loyalty_ledger_entry e
      JOIN "order" o ON o.id = e.details->'pending'->>'order_id'
     WHERE e.kind = 'action' AND e.pending_delta > 0 AND o.status <> 'canceled'
       AND ($1::text IS NULL OR o.id = $1) AND ($2::text IS NULL OR e.id = $2)
       AND NOT EXISTS (SELECT 1 FROM loyalty_ledger_entry x
                        -- EntryKeys.awardActivation(award key), spelled in SQL; or the take-back's key
                        WHERE x.idempotency_key IN (e.idempotency_key || ':activation', e.details->'pending'->>'reversal_key'))
     ORDER BY e.seq`, [by.order_id, by.entry_id])
  return rows.map((r: PendingAward) => ({ ...r, points: Number(r.points) }))
}

function awardFacts(a: PendingAward): ActivationFacts {
  return {
    pending_days: Number(a.terms.pending_days) || 0,
    spendable_on: SPENDABLE_ON.includes(a.terms.spendable_on) ? a.terms.spendable_on : "placed",
    gone_out_at: a.gone_out_at && new Date(a.gone_out_at),
    captured_at: a.captured_at && new Date(a.captured_at),
  }
}
