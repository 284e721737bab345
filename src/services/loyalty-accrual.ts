import { Order, OrderService, TransactionBaseService } from "@medusajs/medusa"
import { MedusaError } from "@medusajs/utils"
import { EntityManager } from "typeorm"
import { evaluateAccrual } from "../domain/program/accrual"
import { LoyaltyError, LoyaltyErrorCodes } from "../domain/shared/errors"
import type { AccrualFacts } from "../domain/rules/facts"
import { accrualEntryDraft, clawbackDecision, orderLedgerState, reversalEntryDraft, type ClawbackDecision, type OrderLedgerState } from "../domain/ledger/order-ledger"
import { accruesPending } from "../domain/rules/program"
import { LoyaltyLedgerEntry } from "../models/loyalty-ledger-entry"
import { customerFacts, ORDER_FOR_FACTS_SQL, orderFacts, orderOfRow, type CustomerRow } from "../utils/medusa-facts"
import { isOrderCaptured } from "../utils/order-capture-sql"
import LoyaltyLedgerService, { LockedContext } from "./loyalty-ledger"
import type LoyaltyRedemptionService from "./loyalty-redemption"
import LoyaltyRulesService from "./loyalty-rules"
import { EntryKeys } from "../domain/ledger/entry-keys"

type InjectedDependencies = {
  manager: EntityManager
  orderService: OrderService
  loyaltyLedgerService: LoyaltyLedgerService
  loyaltyRulesService: LoyaltyRulesService
  loyaltyRedemptionService: LoyaltyRedemptionService
  eventBusService: { withTransaction(m: EntityManager): { emit(event: string, data: unknown): Promise<unknown> } }
}

export type OrderOutcome =
  | { status: "posted" | "replayed"; entry: LoyaltyLedgerEntry; /** Clawbacks the accrual wrote for refunds handled before it. */ swept?: OrderOutcome[] }
  // not_accrued_yet: a refund before its order's accrual waits for it (the accrual sweeps the order's refunds).
  | { status: "skipped"; reason: "guest" | "canceled" | "nothing_earned" | "not_accrued_yet" }

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
      const key = EntryKeys.accrual(order_id)
      const member = await this.readOrderMember(manager, order_id, key)
      if (member.entry_id) {
        return { status: "replayed", entry: (await ledger.findEntryByKey(key))! }
      }
      const rulebook = this.deps_.loyaltyRulesService.getRulebook()
      if (!member.order) {
        throw orderNotFound(order_id)
      }
      if (member.order.status === "canceled") {
        return { status: "skipped", reason: "canceled" }
      }
      if (!member.customer?.has_account) {
        return { status: "skipped", reason: "guest" }
      }
      const order = await this.loadOrderForFacts(manager, order_id)
      const customer_id = member.order.customer_id
      // A new member's account is opened (and given the base tier) before the facts are built: they see its tier.
      const account = member.account ?? (await ledger.ensureAccount(customer_id))
      const facts = factsOf(order, member.customer, member.earlier_orders, account)
      const result = evaluateAccrual(rulebook, facts)
      const { pending_days, spendable_on } = rulebook.program
      const posted = await ledger.postUnderLock(
        customer_id,
        key,
        async (ctx) => {
          if ((await this.orderState(ctx, order_id)).canceled) {
            return null
          }
          // Read under the lock: an order.payment_captured handled meanwhile either waited for this accrual (and
          // activates it) or ran before it, and then the capture it reacted to is visible here.
          const pending = accruesPending(rulebook.program, spendable_on === "captured" && (await isOrderCaptured(ctx.manager, order_id)))
          const order_total_minor = order.total
          return accrualEntryDraft({ customer_id, order_id, idempotency_key: key, rulebook_version: rulebook.version, result, order_total_minor, pending, pending_days, spendable_on, facts })
        },
        { order_id }
      )
      const outcome = await this.emitPosted(manager, posted, LoyaltyAccrualService.Events.POINTS_ACCRUED, "canceled")
      // A refund handled before this accrual failed (nothing to claw from yet) and, on a bus without retries, is
      // never redelivered: sweep the order's refunds now, in this transaction. Their keys make a later delivery a no-op.
      if (outcome.status === "posted" && member.has_refunds) {
        return { ...outcome, swept: await this.withTransaction(manager).clawbackRefunds(order_id) }
      }
      return outcome
    })
  }

  /**
   * The accrual facts of a stored order as `awardOrder` would build them now (the customer's current account
   * figures; zeros when they have no account yet). Reads only: nothing is written (used by simulations).
   */
  async buildFacts(order_id: string): Promise<{ order: Order; facts: AccrualFacts }> {
    const manager = this.activeManager_
    const member = await this.readOrderMember(manager, order_id, EntryKeys.accrual(order_id))
    if (!member.order) {
      throw orderNotFound(order_id)
    }
    if (!member.customer) {
      throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Order ${order_id} has no customer`, { order_id })
    }
    const order = await this.loadOrderForFacts(manager, order_id)
    const account = member.account ?? { points_balance: 0, points_lifetime: 0, tier: null }
    return { order, facts: factsOf(order, member.customer, member.earlier_orders, account) }
  }

  /**
   * The order with Medusa's own totals: `decorateTotals`, the computation `retrieveWithTotals` runs, over the
   * order read in one query (ORDER_FOR_FACTS_SQL) where `retrieveWithTotals` makes one per relation.
   */
  private async loadOrderForFacts(manager: EntityManager, order_id: string): Promise<Order> {
    const [row] = await manager.query(ORDER_FOR_FACTS_SQL, [order_id])
    if (!row) {
      throw orderNotFound(order_id)
    }
    return await this.deps_.orderService.withTransaction(manager).decorateTotals(orderOfRow(row), {})
  }

  /**
   * What the award needs besides the order itself, in one query: the entry already stored under `key` (a
   * redelivery), the order's status and customer (a soft-deleted customer reads as none, as in Medusa's order
   * relations), the customer's groups, how many of their earlier orders still stand, and their account.
   */
  private async readOrderMember(manager: EntityManager, order_id: string, key: string): Promise<OrderMember> {
    const [row] = await manager.query(
      `SELECT (SELECT e.id FROM loyalty_ledger_entry e WHERE e.idempotency_key = $2) AS entry_id,
              o.id AS order_id, o.status, o.customer_id,
              c.id AS c_id, c.email, c.has_account, c.created_at AS c_created_at,
              ARRAY(SELECT cgc.customer_group_id FROM customer_group_customers cgc
                      JOIN customer_group g ON g.id = cgc.customer_group_id AND g.deleted_at IS NULL
                     WHERE cgc.customer_id = c.id) AS group_ids,
              (SELECT count(*) FROM "order" p
                WHERE p.customer_id = o.customer_id AND p.created_at < date_trunc('milliseconds', o.created_at)
                  AND p.status <> 'canceled' AND p.id <> o.id)::int AS earlier_orders,
              a.id AS a_id, a.points_balance, a.points_lifetime::float8 AS points_lifetime, a.tier,
              EXISTS (SELECT 1 FROM refund r WHERE r.order_id = o.id) AS has_refunds
         FROM (SELECT 1) one
         LEFT JOIN "order" o ON o.id = $1
         LEFT JOIN customer c ON c.id = o.customer_id AND c.deleted_at IS NULL
         LEFT JOIN loyalty_account a ON a.customer_id = o.customer_id`,
      [order_id, key]
    )
    // earlier_orders: "first order" means no earlier order that still stands (canceled ones do not count);
    // compared at millisecond precision, as when the order's created_at was passed as a JavaScript Date.
    return {
      entry_id: row.entry_id ?? null,
      order: row.order_id ? { status: row.status, customer_id: row.customer_id } : null,
      customer: row.c_id
        ? { id: row.c_id, email: row.email, has_account: row.has_account, created_at: row.c_created_at, group_ids: row.group_ids }
        : null,
      earlier_orders: row.earlier_orders ?? 0,
      account: row.a_id ? { points_balance: row.points_balance, points_lifetime: row.points_lifetime, tier: row.tier } : null,
      has_refunds: row.has_refunds === true,
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
        .postUnderLock(order.customer_id, EntryKeys.reversal(order_id), async (ctx) => {
          const state = await this.orderState(ctx, order_id)
          return reversalEntryDraft({ customer_id: order.customer_id, order_id, state, floor })
        }, { order_id })
      await this.voidCodesIfNegative(manager, posted)
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
    let decision: ClawbackDecision | undefined
    const posted = await this.deps_.loyaltyLedgerService
      .withTransaction(manager)
      .postUnderLock(order.customer_id, EntryKeys.clawback(refund.id), async (ctx) => {
        const state = await this.orderState(ctx, order.id)
        const facts = { id: refund.id, amount_minor: refund.amount, reason: refund.reason }
        decision = clawbackDecision({ customer_id: order.customer_id, order_id: order.id, state, refund: facts, floor })
        return decision.action === "post" ? decision.draft : null
      }, { order_id: order.id })
    if (decision?.action === "wait") {
      return { status: "skipped", reason: "not_accrued_yet" }
    }
    await this.voidCodesIfNegative(manager, posted)
    return await this.emitPosted(manager, posted, LoyaltyAccrualService.Events.POINTS_REVERSED, "canceled")
  }

  /**
   * A cancel or clawback that left the balance below zero (negative_balance "allow"): the member's unused codes give
   * their points back, newest first, until it is not. Same transaction, so under the account lock the posting took.
   */
  private async voidCodesIfNegative(manager: EntityManager, posted: { entry: LoyaltyLedgerEntry | null; replayed: boolean }): Promise<void> {
    const entry = posted.entry
    if (!entry || posted.replayed || entry.points >= 0 || entry.balance_after >= 0) return
    await this.deps_.loyaltyRedemptionService.withTransaction(manager).voidUnusedWhileNegative(entry.customer_id)
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
}

/** What `readOrderMember` returns: null order when Medusa has none with the id, null customer for none or deleted. */
type OrderMember = {
  entry_id: string | null
  order: { status: string; customer_id: string } | null
  customer: (CustomerRow & { has_account: boolean }) | null
  earlier_orders: number
  account: AccountFigures | null
  /** Refunds exist already: their handlers ran (and failed) before this accrual, or will run after it. */
  has_refunds: boolean
}

type AccountFigures = { points_balance: number; points_lifetime: number; tier: string | null }

function factsOf(order: Order, customer: CustomerRow, earlier_orders: number, account: AccountFigures): AccrualFacts {
  return {
    order: orderFacts(order),
    customer: customerFacts(customer, {
      orders_count: earlier_orders,
      points_balance: account.points_balance,
      points_lifetime: account.points_lifetime,
      tier: account.tier,
    }),
  }
}

// The error Medusa's retrieveWithTotals raised for a missing order (same type and message).
function orderNotFound(order_id: string): MedusaError {
  return new MedusaError(MedusaError.Types.NOT_FOUND, `Order with id ${order_id} was not found`)
}
