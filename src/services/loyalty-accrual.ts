import { Order, OrderService, TransactionBaseService } from "@medusajs/medusa"
import type { Logger } from "@medusajs/medusa"
import { EntityManager, LessThan, Not } from "typeorm"
import { evaluateAccrual } from "../domain/accrual"
import { LoyaltyLedgerEntry } from "../models/loyalty-ledger-entry"
import { customerFacts, ORDER_FACT_RELATIONS, orderFacts } from "../utils/medusa-facts"
import LoyaltyLedgerService from "./loyalty-ledger"
import LoyaltyRulesService from "./loyalty-rules"

type InjectedDependencies = {
  manager: EntityManager
  logger: Logger
  orderService: OrderService
  loyaltyLedgerService: LoyaltyLedgerService
  loyaltyRulesService: LoyaltyRulesService
  eventBusService: { withTransaction(m: EntityManager): { emit(event: string, data: unknown): Promise<unknown> } }
}

export type AccrualOutcome =
  | { status: "awarded" | "replayed"; entry: LoyaltyLedgerEntry }
  | { status: "skipped"; reason: "guest" | "canceled" }

/** The key that makes an order's accrual happen once, whatever the redelivery. */
export const accrualKey = (order_id: string): string => `order:${order_id}:accrual`

/**
 * Turns a placed order into points: load the order, build facts, evaluate the live rulebook, post one accrual
 * entry stamped with the rulebook version and the rules that fired.
 */
export default class LoyaltyAccrualService extends TransactionBaseService {
  static Events = { POINTS_ACCRUED: "loyalty.points_accrued" }

  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /**
   * Awards the points of `order_id` exactly once. Guest orders (no registered customer) and orders already
   * canceled earn nothing and do not fail.
   */
  async awardOrder(order_id: string): Promise<AccrualOutcome> {
    return await this.atomicPhase_(async (manager) => {
      const ledger = this.deps_.loyaltyLedgerService.withTransaction(manager)
      const existing = await ledger.findEntryByKey(accrualKey(order_id))
      if (existing) {
        return { status: "replayed", entry: existing }
      }
      const rulebook = this.deps_.loyaltyRulesService.getRulebook()
      const order = await this.deps_.orderService
        .withTransaction(manager)
        .retrieveWithTotals(order_id, { relations: ORDER_FACT_RELATIONS })
      if (order.status === "canceled") {
        return { status: "skipped", reason: "canceled" }
      }
      if (!order.customer?.has_account) {
        return { status: "skipped", reason: "guest" }
      }
      const account = await ledger.ensureAccount(order.customer_id)
      const facts = {
        order: orderFacts(order),
        customer: customerFacts(order.customer, {
          orders_count: await this.countEarlierOrders(manager, order),
          points_balance: account.points_balance,
          points_lifetime: account.points_lifetime,
          tier: account.tier,
        }),
      }
      const result = await evaluateAccrual(rulebook, facts)
      const { entry, replayed } = await ledger.post({
        customer_id: order.customer_id,
        kind: "accrual",
        points: result.points,
        idempotency_key: accrualKey(order_id),
        order_id,
        rule_names: result.rule_names,
        rulebook_version: rulebook.version,
        details: {
          basis_minor: result.basis_minor,
          amount_points: result.amount_points,
          bonus_points: result.bonus_points,
          multiplier_bp: result.multiplier_bp,
          contributions: result.contributions,
        },
      })
      if (!replayed) {
        await this.deps_.eventBusService.withTransaction(manager).emit(LoyaltyAccrualService.Events.POINTS_ACCRUED, {
          customer_id: entry.customer_id,
          order_id,
          entry_id: entry.id,
          points: entry.points,
        })
      }
      return { status: replayed ? "replayed" : "awarded", entry }
    })
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
