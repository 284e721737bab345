import { Order, OrderService, TransactionBaseService } from "@medusajs/medusa"
import { EntityManager, LessThan, Not } from "typeorm"
import { evaluateAccrual } from "../domain/accrual"
import { clawbackForRefund, reversalForCancel } from "../domain/clawback"
import { LoyaltyError, LoyaltyErrorCodes } from "../domain/errors"
import type { AccrualFacts } from "../domain/facts"
import { EntryDraft } from "../domain/ledger"
import { orderLedgerState, OrderLedgerState } from "../domain/order-ledger"
import { LoyaltyLedgerEntry } from "../models/loyalty-ledger-entry"
import { customerFacts, ORDER_FACT_RELATIONS, orderFacts } from "../utils/medusa-facts"
import LoyaltyLedgerService, { LockedContext } from "./loyalty-ledger"
import LoyaltyRulesService from "./loyalty-rules"

type InjectedDependencies = {
  manager: EntityManager
  orderService: OrderService
  loyaltyLedgerService: LoyaltyLedgerService
  loyaltyRulesService: LoyaltyRulesService
  eventBusService: { withTransaction(m: EntityManager): { emit(event: string, data: unknown): Promise<unknown> } }
}

export type OrderOutcome =
  | { status: "posted" | "replayed"; entry: LoyaltyLedgerEntry }
  | { status: "skipped"; reason: "guest" | "canceled" | "nothing_earned" }

/** Deterministic idempotency keys: one per business event, so redeliveries find their entry. */
export const OrderKeys = {
  accrual: (order_id: string) => `order:${order_id}:accrual`,
  cancel: (order_id: string) => `order:${order_id}:cancel`,
  refund: (refund_id: string) => `refund:${refund_id}`,
  activation: (order_id: string) => `order:${order_id}:activation`,
}

/**
 * The points life of an order: accrual on placed (pending first when the program says so), reversal on cancel,
 * proportional clawback on each refund. Every follow-up is computed under the account lock from the entries the
 * ledger already holds for the order, never from today's rules.
 */
export default class LoyaltyAccrualService extends TransactionBaseService {
  static Events = {
    POINTS_ACCRUED: "loyalty.points_accrued",
    POINTS_REVERSED: "loyalty.points_reversed",
  }

  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /**
   * Awards the points of `order_id` exactly once. Guest orders and canceled orders earn nothing and do not fail;
   * a cancel handled before this (an unordered event batch) left a tombstone that makes the order earn nothing.
   */
  async awardOrder(order_id: string): Promise<OrderOutcome> {
    return await this.atomicPhase_(async (manager) => {
      const ledger = this.deps_.loyaltyLedgerService.withTransaction(manager)
      const existing = await ledger.findEntryByKey(OrderKeys.accrual(order_id))
      if (existing) {
        return { status: "replayed", entry: existing }
      }
      const rulebook = this.deps_.loyaltyRulesService.getRulebook()
      const order = await this.loadOrderForFacts(manager, order_id)
      if (order.status === "canceled") {
        return { status: "skipped", reason: "canceled" }
      }
      if (!order.customer?.has_account) {
        return { status: "skipped", reason: "guest" }
      }
      const account = await ledger.ensureAccount(order.customer_id)
      const facts = await this.factsOf(manager, order, account)
      const result = evaluateAccrual(rulebook, facts)
      const pending = rulebook.program.pending_days > 0
      const posted = await ledger.postUnderLock(order.customer_id, OrderKeys.accrual(order_id), async (ctx) => {
        if ((await this.orderState(ctx, order_id)).canceled) {
          return null
        }
        return {
          customer_id: order.customer_id,
          kind: "accrual",
          points: pending ? 0 : result.points,
          pending_points: pending ? result.points : 0,
          idempotency_key: OrderKeys.accrual(order_id),
          order_id,
          rule_names: result.rule_names,
          rulebook_version: rulebook.version,
          details: {
            basis_minor: result.basis_minor,
            order_total_minor: order.total,
            amount_points: result.amount_points,
            bonus_points: result.bonus_points,
            multiplier_bp: result.multiplier_bp,
            contributions: result.contributions,
            pending_days: rulebook.program.pending_days,
            facts, // what the rules saw: GET /admin/loyalty/entries/:id/explain
          },
        }
      })
      return await this.emitPosted(manager, posted, LoyaltyAccrualService.Events.POINTS_ACCRUED, "canceled")
    })
  }

  /**
   * The accrual facts of a stored order as `awardOrder` would build them now (the customer's current account
   * figures; zeros when they have no account yet). Reads only: nothing is written (used by simulations).
   */
  async buildFacts(order_id: string): Promise<{ order: Order; facts: AccrualFacts }> {
    const manager = this.activeManager_
    const order = await this.loadOrderForFacts(manager, order_id)
    const account = await this.deps_.loyaltyLedgerService.withTransaction(manager).findAccount(order.customer_id)
    const facts = await this.factsOf(manager, order, account ?? { points_balance: 0, points_lifetime: 0, tier: null })
    return { order, facts }
  }

  private async loadOrderForFacts(manager: EntityManager, order_id: string): Promise<Order> {
    return await this.deps_.orderService.withTransaction(manager).retrieveWithTotals(order_id, { relations: ORDER_FACT_RELATIONS })
  }

  private async factsOf(
    manager: EntityManager,
    order: Order,
    account: { points_balance: number; points_lifetime: number; tier: string | null }
  ): Promise<AccrualFacts> {
    return {
      order: orderFacts(order),
      customer: customerFacts(order.customer, {
        orders_count: await this.countEarlierOrders(manager, order),
        points_balance: account.points_balance,
        points_lifetime: account.points_lifetime,
        tier: account.tier,
      }),
    }
  }

  /**
   * order.canceled: takes back everything the order earned, net of what refunds already clawed back, exactly once.
   * Before the accrual exists it writes a 0-point reversal: a tombstone that keeps a late order.placed from awarding.
   */
  async reverseOrder(order_id: string): Promise<OrderOutcome> {
    return await this.atomicPhase_(async (manager) => {
      const order = await this.loadMember(manager, order_id, [])
      if (!order) {
        return { status: "skipped", reason: "guest" }
      }
      const floor = this.deps_.loyaltyRulesService.getRulebook().program.negative_balance
      const posted = await this.deps_.loyaltyLedgerService
        .withTransaction(manager)
        .postUnderLock(order.customer_id, OrderKeys.cancel(order_id), async (ctx) => {
          const state = await this.orderState(ctx, order_id)
          const remaining = reversalForCancel({ earned_points: state.earned_points, clawed_before_points: state.clawed_points })
          return {
            ...movement(state, remaining, floor),
            customer_id: order.customer_id,
            kind: "reversal",
            idempotency_key: OrderKeys.cancel(order_id),
            order_id,
            reason: "order canceled",
            details: { tombstone: !state.accrued, earned_points: state.earned_points, clawed_before_points: state.clawed_points },
          }
        })
      return await this.emitPosted(manager, posted, LoyaltyAccrualService.Events.POINTS_REVERSED, "nothing_earned")
    })
  }

  /**
   * order.refund_created and order.items_returned (Medusa refunds a received return without a refund_created
   * event): claws back, once per refund, the refunded share of what the order earned, using the figures stored on
   * its accrual. Every refund of the order not yet seen is processed, oldest first, so either event catches all.
   * Cumulative rounding: never more than earned, and refunding the whole order total takes everything back.
   */
  async clawbackRefunds(order_id: string): Promise<OrderOutcome[]> {
    return await this.atomicPhase_(async (manager) => {
      const order = await this.loadMember(manager, order_id, ["refunds"])
      if (!order) {
        return [{ status: "skipped", reason: "guest" }]
      }
      const floor = this.deps_.loyaltyRulesService.getRulebook().program.negative_balance
      const refunds = [...order.refunds].sort((a, b) => +new Date(a.created_at) - +new Date(b.created_at))
      const outcomes: OrderOutcome[] = []
      for (const refund of refunds) {
        outcomes.push(await this.clawbackOne(manager, order, refund, floor))
      }
      return outcomes
    })
  }

  private async clawbackOne(
    manager: EntityManager,
    order: Order,
    refund: Order["refunds"][number],
    floor: "allow" | "stop_at_zero"
  ): Promise<OrderOutcome> {
    const posted = await this.deps_.loyaltyLedgerService
      .withTransaction(manager)
      .postUnderLock(order.customer_id, OrderKeys.refund(refund.id), async (ctx) => {
        const state = await this.orderState(ctx, order.id)
        if (state.canceled) {
          return null
        }
        assertAccrued(state, order.id, refund.id)
        const points = clawbackForRefund({
          earned_points: state.earned_points,
          order_total_minor: state.order_total_minor,
          refunded_before_minor: state.refunded_minor,
          refund_minor: refund.amount,
          clawed_before_points: state.clawed_points,
        })
        return {
          ...movement(state, points, floor),
          customer_id: order.customer_id,
          kind: "clawback",
          idempotency_key: OrderKeys.refund(refund.id),
          order_id: order.id,
          source_id: refund.id,
          reason: `refund (${refund.reason})`,
          details: {
            refund_minor: refund.amount,
            refunded_before_minor: state.refunded_minor,
            order_total_minor: state.order_total_minor,
          },
        }
      })
    return await this.emitPosted(manager, posted, LoyaltyAccrualService.Events.POINTS_REVERSED, "canceled")
  }

  private async orderState(ctx: LockedContext, order_id: string): Promise<OrderLedgerState> {
    return orderLedgerState(await ctx.entriesOfOrder(order_id))
  }

  /** The order when it belongs to a registered customer (members only), else null. */
  private async loadMember(manager: EntityManager, order_id: string, relations: string[]): Promise<Order | null> {
    const order = await this.deps_.orderService
      .withTransaction(manager)
      .retrieve(order_id, { relations: ["customer", ...relations] })
    return order.customer?.has_account ? order : null
  }

  private async emitPosted(
    manager: EntityManager,
    posted: { entry: LoyaltyLedgerEntry | null; replayed: boolean },
    event: string,
    reason: "canceled" | "nothing_earned"
  ): Promise<OrderOutcome> {
    if (!posted.entry) {
      return { status: "skipped", reason }
    }
    if (!posted.replayed) {
      const { id, customer_id, order_id, kind, points, pending_delta } = posted.entry
      await this.deps_.eventBusService
        .withTransaction(manager)
        .emit(event, { customer_id, order_id, entry_id: id, kind, points, pending_points: pending_delta })
    }
    return { status: posted.replayed ? "replayed" : "posted", entry: posted.entry }
  }

  // "First order" means no earlier order that still stands: canceled orders do not count.
  private async countEarlierOrders(manager: EntityManager, order: Order): Promise<number> {
    return await manager.getRepository(Order).count({
      where: {
        customer_id: order.customer_id,
        created_at: LessThan(order.created_at),
        status: Not("canceled" as Order["status"]),
        id: Not(order.id),
      },
    })
  }
}

/** Takes `points` back from where the order's points are: pending while they are pending, else the balance. */
function movement(state: OrderLedgerState, points: number, floor: "allow" | "stop_at_zero"): Pick<EntryDraft, "points" | "pending_points" | "floor"> {
  // `|| 0`: a zero movement must not be stored as -0.
  return state.pending ? { points: 0, pending_points: -points || 0 } : { points: -points || 0, pending_points: 0, floor }
}

// A refund before its accrual (an unordered event batch) cannot be prorated yet: fail loudly so the event bus
// retry (Redis) or the reconcile sweep handles it once the accrual exists.
function assertAccrued(state: OrderLedgerState, order_id: string, refund_id: string): void {
  if (!state.accrued) {
    throw new LoyaltyError(
      LoyaltyErrorCodes.NOT_FOUND,
      `Refund ${refund_id}: order ${order_id} has no accrual yet; it will be clawed back once the accrual exists`
    )
  }
}
