import { TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { orderLedgerState } from "../domain/order-ledger"
import LoyaltyLedgerService from "./loyalty-ledger"
import { OrderKeys } from "./loyalty-accrual"
import LoyaltyRulesService from "./loyalty-rules"

type InjectedDependencies = {
  manager: EntityManager
  loyaltyLedgerService: LoyaltyLedgerService
  loyaltyRulesService: LoyaltyRulesService
}

export type ActivationCounts = { orders_checked: number; entries_posted: number; points_activated: number }

type Candidate = { order_id: string; customer_id: string; pending_days: number | null; shipped_at: Date | null; updated_at: Date; completed: boolean }

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Pending points becoming available (program.pending_days > 0). An order's pending points activate once
 * everything it contains has gone out and the pending period has passed since then:
 * - "gone out": every line item of the order is fulfilled (fulfilled_quantity ≥ quantity), whatever the
 *   fulfillment_status wording (partially_shipped, returned …), or the order is completed; never when canceled;
 * - "since then": the latest non-canceled fulfillment's shipped_at, or its created_at when it was not shipped
 *   (so registering a shipment later restarts the clock at the shipment); a completed order without any
 *   fulfillment uses its updated_at;
 * - the period is the pending_days stored on the accrual (the program that awarded the points), falling back to
 *   today's program.
 * The amount is what the order still has pending: earned minus what cancels and refunds already took out of
 * pending (orderLedgerState), posted once under the key `order:{id}:activation`.
 */
export default class LoyaltyActivationService extends TransactionBaseService {
  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  async activateDue(now: Date): Promise<ActivationCounts> {
    const counts: ActivationCounts = { orders_checked: 0, entries_posted: 0, points_activated: 0 }
    const fallbackDays = this.deps_.loyaltyRulesService.getRulebook().program.pending_days
    for (const c of await this.candidates()) {
      counts.orders_checked++
      const since = c.shipped_at ?? (c.completed ? c.updated_at : null)
      const days = c.pending_days ?? fallbackDays
      if (!since || since.getTime() + days * DAY_MS > now.getTime()) continue
      const points = await this.activateOrder(c, days, since)
      if (points > 0) {
        counts.entries_posted++
        counts.points_activated += points
      }
    }
    return counts
  }

  private async activateOrder(c: Candidate, days: number, since: Date): Promise<number> {
    const key = OrderKeys.activation(c.order_id)
    const run = async (manager: EntityManager) => {
      const posted = await this.deps_.loyaltyLedgerService.withTransaction(manager).postUnderLock(c.customer_id, key, async (ctx) => {
        const state = orderLedgerState(await ctx.entriesOfOrder(c.order_id))
        const remaining = state.earned_points - state.clawed_points
        if (!state.pending || state.canceled || remaining <= 0) return null
        return {
          customer_id: c.customer_id,
          kind: "activation",
          points: remaining,
          pending_points: -remaining,
          idempotency_key: key,
          order_id: c.order_id,
          reason: `pending period of ${days} days over`,
          details: { pending_days: days, eligible_since: since.toISOString() },
        }
      }, { order_id: c.order_id })
      return posted.entry && !posted.replayed ? posted.entry.points : 0
    }
    return this.transactionManager_ ? await run(this.transactionManager_) : await this.manager_.transaction(run)
  }

  /**
   * Orders with pending points left (Σ pending_delta > 0, no activation yet) whose items have all gone out, with
   * the moment they went out. Re-checked under the lock before anything is posted.
   */
  private async candidates(): Promise<Candidate[]> {
    const rows: Candidate[] = await this.activeManager_.query(`
      WITH pending AS (
        SELECT e.order_id, min(e.customer_id) AS customer_id,
               max(CASE WHEN e.kind = 'accrual' AND (e.details->>'pending_days') ~ '^[0-9]+$'
                        THEN (e.details->>'pending_days')::int END) AS pending_days
          FROM loyalty_ledger_entry e
         WHERE e.order_id IS NOT NULL
         GROUP BY e.order_id
        HAVING bool_or(e.kind = 'accrual' AND e.pending_delta > 0)
           AND NOT bool_or(e.kind = 'activation')
           AND sum(e.pending_delta) > 0
      )
      SELECT p.order_id, p.customer_id, p.pending_days, o.updated_at, (o.status = 'completed') AS completed,
             (SELECT max(coalesce(f.shipped_at, f.created_at)) FROM fulfillment f
               WHERE f.order_id = o.id AND f.canceled_at IS NULL) AS shipped_at
        FROM pending p
        JOIN "order" o ON o.id = p.order_id
       WHERE o.status <> 'canceled'
         AND (o.status = 'completed' OR NOT EXISTS (
               SELECT 1 FROM line_item li WHERE li.order_id = o.id AND coalesce(li.fulfilled_quantity, 0) < li.quantity))
       ORDER BY p.order_id`)
    return rows.map((r) => ({ ...r, pending_days: r.pending_days === null ? null : Number(r.pending_days) }))
  }
}
