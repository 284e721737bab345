import { CartService, generateEntityId, OrderService, TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { currencyDecimals } from "../domain/shared/currency"
import { isLoyaltyError, LoyaltyError, LoyaltyErrorCodes } from "../domain/shared/errors"
import {
  cartPointsDebitDraft,
  cartPointsDebitPlan,
  CartPointsKeys,
  checkCartPoints,
  maxCartPoints,
  paidPointsOf,
  POINTS_PAYMENT_REFERENCE,
  pointsPaymentCancelDraft,
  pointsPaymentRefundDraft,
  type CartPointsCompletion,
  type CartPointsEntry,
  type PaidPoints,
} from "../domain/ledger/points-payment"
import { checkRedemption } from "../domain/ledger/redemption"
import { spreadAmountMinor, type SpreadLine } from "../domain/program/amount-spread"
import type LoyaltyLedgerService from "./loyalty-ledger"
import type LoyaltyRulesService from "./loyalty-rules"

type InjectedDependencies = {
  manager: EntityManager
  cartService: CartService
  orderService: OrderService
  loyaltyLedgerService: LoyaltyLedgerService
  loyaltyRulesService: LoyaltyRulesService
}

/** The application as the cart's metadata keeps it (under POINTS_PAYMENT_REFERENCE; the store API cannot write cart metadata). */
export type AppliedCartPoints = CartPointsCompletion["applied"]

/** What the store routes answer: the points on the cart, what they pay, and the cart's totals with them. */
export type CartPointsView = {
  cart_id: string
  points: number
  amount_minor: number
  currency_code: string
  max_points: number
  totals: { subtotal: number; discount_total: number; shipping_total: number; tax_total: number; total: number }
}

/** The cart as the application and the completion read it. */
type CartRow = { id: string; customer_id: string | null; completed_at: Date | null; currency_code: string; applied: AppliedCartPoints | null; has_sessions: boolean }

/** Marks this plugin's line-item adjustments (Medusa's custom adjustments: no discount_id). */
const ADJUSTMENT_DESCRIPTION = "Paid with loyalty points"
const ours = (alias: string) => `(${alias}.discount_id IS NULL AND (${alias}.metadata->>'payment') IS NOT DISTINCT FROM '${POINTS_PAYMENT_REFERENCE}')`
const OUR_ADJUSTMENTS = ours("line_item_adjustment")

/**
 * Paying with points in a Medusa v1 cart. Applying points records them on the cart (metadata) and lowers the cart's
 * total through Medusa's custom line-item adjustments (no discount): Medusa counts those in `discount_total`, taxes
 * the goods after them, keeps them when it recomputes discount adjustments, and carries them to the order's items.
 * Nothing is debited then: the completion (see checkout/cart-points.ts) debits the points inside the order's
 * transaction, under the member's account lock. Every decision is the core's (domain/ledger/points-payment.ts).
 */
export default class LoyaltyCartPointsService extends TransactionBaseService {
  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /** Applies `points` of `customer_id` to their open cart (replacing points applied before): the core's bound decides. */
  async apply(cart_id: string, customer_id: string, points: number): Promise<CartPointsView> {
    const program = this.program()
    checkRedemption(points, Number.MAX_SAFE_INTEGER, program) // the bound's input errors before anything is read
    return await this.atomicPhase_(async (manager) => {
      const cart = await this.ownOpenCart(manager, cart_id, customer_id)
      const lines = await this.goodsLines(manager, cart_id)
      const goods_minor = lines.reduce((sum, l) => sum + l.goods_minor, 0)
      const account = await this.deps_.loyaltyLedgerService.withTransaction(manager).ensureAccount(customer_id)
      const currency_decimals = currencyDecimals(cart.currency_code)
      const { amount_minor } = checkCartPoints(points, account.points_balance, { goods_minor, currency_decimals }, program)
      const applied: AppliedCartPoints = { customer_id, points, amount_minor, currency_code: cart.currency_code }
      await manager.query(
        `UPDATE cart SET metadata = COALESCE(metadata, '{}'::jsonb) || jsonb_build_object($2::text, $3::jsonb) WHERE id = $1`,
        [cart_id, POINTS_PAYMENT_REFERENCE, JSON.stringify(applied)]
      )
      await this.writeAdjustments(manager, lines, spreadAmountMinor(amount_minor, lines))
      await this.totalsChanged(manager, cart)
      return await this.view(manager, cart_id)
    })
  }

  /** Takes the points off the customer's open cart (nothing applied: a no-op). */
  async remove(cart_id: string, customer_id: string): Promise<CartPointsView> {
    return await this.atomicPhase_(async (manager) => {
      const cart = await this.ownOpenCart(manager, cart_id, customer_id)
      await manager.query(`UPDATE cart SET metadata = metadata - $2::text WHERE id = $1 AND metadata ? $2::text`, [cart_id, POINTS_PAYMENT_REFERENCE])
      await this.deleteAdjustments(manager, cart_id)
      await this.totalsChanged(manager, cart)
      return await this.view(manager, cart_id)
    })
  }

  /**
   * Spreads the applied points' value over the cart's lines as they are now (the cart changed since: lines added,
   * removed, quantities), when the adjustments differ from that (true: they were rewritten). What cannot fit (goods
   * shrank below the value) is left for the completion to refuse.
   */
  async respread(cart_id: string): Promise<boolean> {
    return await this.atomicPhase_(async (manager) => {
      const cart = await this.cartRow(manager, cart_id, { lock: true })
      if (!cart?.applied || cart.completed_at) return false
      const lines = await this.goodsLines(manager, cart_id)
      const goods_minor = lines.reduce((sum, l) => sum + l.goods_minor, 0)
      const shares = spreadAmountMinor(Math.min(cart.applied.amount_minor, goods_minor), lines)
      const current: { item_id: string; amount: string }[] = await manager.query(
        `SELECT item_id, amount FROM line_item_adjustment WHERE item_id = ANY($1) AND ${OUR_ADJUSTMENTS}`,
        [lines.map((l) => l.id)]
      )
      const same =
        current.length === shares.filter((s) => s.amount_minor > 0).length &&
        current.every((c) => shares.some((s) => s.id === c.item_id && s.amount_minor === Number(c.amount)))
      if (same) return false
      await this.writeAdjustments(manager, lines, shares)
      await this.totalsChanged(manager, cart)
      return true
    })
  }

  /**
   * The completion's check, inside the order's transaction and before the order is created: the core's plan (whose
   * points, do they still fit the cart), then the member's account locked (held until the transaction ends, so no
   * other cart's completion can spend the same points meanwhile) and the balance checked. Returns null when the cart
   * has no points or an earlier attempt already debited them; throws the core's typed refusal.
   */
  async holdForCompletion(cart_id: string): Promise<{ completion: CartPointsCompletion; idempotency_key: string } | null> {
    return await this.atomicPhase_(async (manager) => {
      const pending = await this.completionPlan(manager, cart_id)
      if (!pending) return null
      const ledger = this.deps_.loyaltyLedgerService.withTransaction(manager)
      // Nothing is written here (decide returns null): this takes the lock and checks the locked balance.
      await ledger.postUnderLock(pending.completion.applied.customer_id, pending.idempotency_key, async ({ account }) => {
        cartPointsDebitDraft(pending.completion, pending.idempotency_key, account.points_balance)
        return null
      })
      return pending
    })
  }

  /** Debits the held points for the order the completion created (same transaction, account still locked). */
  async debitForOrder(held: { completion: CartPointsCompletion; idempotency_key: string }, order_id: string): Promise<void> {
    await this.atomicPhase_(async (manager) => {
      const { completion, idempotency_key } = held
      await this.deps_.loyaltyLedgerService.withTransaction(manager).postUnderLock(completion.applied.customer_id, idempotency_key, async ({ account }) => ({
        ...cartPointsDebitDraft(completion, idempotency_key, account.points_balance),
        order_id,
      }))
    })
  }

  /** The refusal a completion of `cart_id` would get now, or null (advisory: read only, no lock). */
  async precheck(cart_id: string): Promise<LoyaltyError | null> {
    try {
      const pending = await this.completionPlan(this.activeManager_, cart_id)
      if (!pending) return null
      const account = await this.deps_.loyaltyLedgerService.withTransaction(this.activeManager_).findAccount(pending.completion.applied.customer_id)
      cartPointsDebitDraft(pending.completion, pending.idempotency_key, account?.points_balance ?? 0)
      return null
    } catch (e) {
      if (isLoyaltyError(e)) return e
      throw e
    }
  }

  /** order.canceled: every point the order was paid with and not given back yet comes back (once). */
  async giveBackOnCancel(order_id: string): Promise<void> {
    await this.atomicPhase_(async (manager) => {
      const paid = await this.paidOrder(manager, order_id)
      if (!paid) return
      await this.deps_.loyaltyLedgerService.withTransaction(manager).postUnderLock(paid.customer_id, CartPointsKeys.cancel(paid.cart_id), async ({ manager: m }) =>
        pointsPaymentCancelDraft({ ...paid, ...paidPointsOf(paid.cart_id, await this.entriesOfCart(m, paid.cart_id)) })
      )
    })
  }

  /** order.refund_created: each refund not seen yet gives back its share of the points (oldest first, cumulative). */
  async giveBackOnRefunds(order_id: string): Promise<void> {
    await this.atomicPhase_(async (manager) => {
      const paid = await this.paidOrder(manager, order_id)
      if (!paid) return
      const order = await this.deps_.orderService.withTransaction(manager).retrieveWithTotals(order_id, { relations: ["refunds"] })
      const refunds = [...order.refunds].sort((a, b) => +new Date(a.created_at) - +new Date(b.created_at))
      let refunded_before_minor = 0
      for (const refund of refunds) {
        const facts = { refund_id: refund.id, paid_total_minor: order.total, refunded_before_minor, refund_minor: refund.amount }
        await this.deps_.loyaltyLedgerService.withTransaction(manager).postUnderLock(paid.customer_id, CartPointsKeys.refund(paid.cart_id, refund.id), async ({ manager: m }) =>
          pointsPaymentRefundDraft({ ...paid, ...paidPointsOf(paid.cart_id, await this.entriesOfCart(m, paid.cart_id)) }, facts)
        )
        refunded_before_minor += refund.amount
      }
    })
  }

  /** The cart's application and the core's completion plan, or null without points (or already debited). */
  private async completionPlan(manager: EntityManager, cart_id: string): Promise<{ completion: CartPointsCompletion; idempotency_key: string } | null> {
    const cart = await this.cartRow(manager, cart_id)
    if (!cart?.applied) return null
    const lines = await this.goodsLines(manager, cart_id)
    const completion: CartPointsCompletion = {
      cart_id,
      customer_id: cart.customer_id,
      applied: cart.applied,
      goods_minor: lines.reduce((sum, l) => sum + l.goods_minor, 0),
      prior: await this.entriesOfCart(manager, cart_id),
    }
    const plan = cartPointsDebitPlan(completion, this.program())
    return plan.action === "debit" ? { completion, idempotency_key: plan.idempotency_key } : null
  }

  /** The order's points payment (its cart's debit), or null when it was not paid with points. */
  private async paidOrder(manager: EntityManager, order_id: string): Promise<Omit<PaidPoints, "spent_points" | "returned_before_points"> | null> {
    const [row] = await manager.query(
      `SELECT e.customer_id, e.source_id AS cart_id FROM loyalty_ledger_entry e
        WHERE e.order_id = $1 AND e.kind = 'redemption' AND e.details->>'payment' = $2 LIMIT 1`,
      [order_id, POINTS_PAYMENT_REFERENCE]
    )
    return row ? { customer_id: row.customer_id, cart_id: row.cart_id, order_id } : null
  }

  private async entriesOfCart(manager: EntityManager, cart_id: string): Promise<CartPointsEntry[]> {
    const prefix = CartPointsKeys.prefix(cart_id)
    const rows: CartPointsEntry[] = await manager.query(
      `SELECT idempotency_key, points FROM loyalty_ledger_entry WHERE idempotency_key = $1 OR starts_with(idempotency_key, $1 || ':') ORDER BY seq`,
      [prefix]
    )
    return rows.map((r) => ({ idempotency_key: r.idempotency_key, points: Number(r.points) }))
  }

  private async ownOpenCart(manager: EntityManager, cart_id: string, customer_id: string): Promise<CartRow> {
    const cart = await this.cartRow(manager, cart_id, { lock: true })
    if (!cart || cart.customer_id !== customer_id) {
      throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Cart ${cart_id} was not found`, { cart_id })
    }
    if (cart.completed_at) {
      throw new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, `cart ${cart_id} is already completed`, { field: "cart_id", cart_id })
    }
    return cart
  }

  /**
   * The cart's row; `lock` (writes, in a transaction) locks it so two writers of one cart's points (an apply and a
   * spread after a cart change) take turns instead of interleaving their adjustments.
   */
  private async cartRow(manager: EntityManager, cart_id: string, { lock = false } = {}): Promise<CartRow | null> {
    const [row] = await manager.query(
      `SELECT c.id, c.customer_id, c.completed_at, r.currency_code, c.metadata->$2::text AS applied,
              EXISTS (SELECT 1 FROM payment_session s WHERE s.cart_id = c.id) AS has_sessions
         FROM cart c JOIN region r ON r.id = c.region_id WHERE c.id = $1 AND c.deleted_at IS NULL${lock ? " FOR UPDATE OF c" : ""}`,
      [cart_id, POINTS_PAYMENT_REFERENCE]
    )
    return row ?? null
  }

  /**
   * The cart's lines and what the points may pay of each: quantity × unit price less the line's other adjustments
   * (discount codes), before tax; never shipping.
   */
  private async goodsLines(manager: EntityManager, cart_id: string): Promise<SpreadLine[]> {
    const rows: { id: string; goods_minor: string }[] = await manager.query(
      `SELECT li.id, GREATEST(li.unit_price * li.quantity - COALESCE(SUM(a.amount) FILTER (WHERE NOT ${ours("a")}), 0), 0) AS goods_minor
         FROM line_item li LEFT JOIN line_item_adjustment a ON a.item_id = li.id
        WHERE li.cart_id = $1 AND NOT li.is_return
        GROUP BY li.id ORDER BY li.created_at, li.id`,
      [cart_id]
    )
    return rows.map((r) => ({ id: r.id, goods_minor: Math.round(Number(r.goods_minor)) }))
  }

  /** Replaces this plugin's adjustments on the lines with `shares` (spreadAmountMinor's). */
  private async writeAdjustments(manager: EntityManager, lines: SpreadLine[], shares: { id: string; amount_minor: number }[]): Promise<void> {
    if (lines.length) {
      await manager.query(`DELETE FROM line_item_adjustment WHERE item_id = ANY($1) AND ${OUR_ADJUSTMENTS}`, [lines.map((l) => l.id)])
    }
    for (const share of shares) {
      if (share.amount_minor === 0) continue
      await manager.query(
        `INSERT INTO line_item_adjustment (id, item_id, description, discount_id, amount, metadata) VALUES ($1, $2, $3, NULL, $4, $5)`,
        [generateEntityId("", "lia"), share.id, ADJUSTMENT_DESCRIPTION, share.amount_minor, JSON.stringify({ payment: POINTS_PAYMENT_REFERENCE })]
      )
    }
  }

  private async deleteAdjustments(manager: EntityManager, cart_id: string): Promise<void> {
    await manager.query(
      `DELETE FROM line_item_adjustment WHERE item_id IN (SELECT id FROM line_item WHERE cart_id = $1) AND ${OUR_ADJUSTMENTS}`,
      [cart_id]
    )
  }

  /** The cart's payment sessions follow its new total (as Medusa does after a cart change). */
  private async totalsChanged(manager: EntityManager, cart: CartRow): Promise<void> {
    if (cart.has_sessions) await this.deps_.cartService.withTransaction(manager).setPaymentSessions(cart.id)
  }

  private async view(manager: EntityManager, cart_id: string): Promise<CartPointsView> {
    const cart = await this.deps_.cartService.withTransaction(manager).retrieveWithTotals(cart_id, { relations: ["region"] })
    const applied = (cart.metadata?.[POINTS_PAYMENT_REFERENCE] ?? null) as AppliedCartPoints | null
    const goods_minor = (await this.goodsLines(manager, cart_id)).reduce((sum, l) => sum + l.goods_minor, 0)
    const currency_decimals = currencyDecimals(cart.region.currency_code)
    return {
      cart_id,
      points: applied?.points ?? 0,
      amount_minor: applied?.amount_minor ?? 0,
      currency_code: cart.region.currency_code,
      max_points: maxCartPoints({ goods_minor, currency_decimals }, this.program()),
      totals: {
        subtotal: cart.subtotal ?? 0,
        discount_total: cart.discount_total ?? 0,
        shipping_total: cart.shipping_total ?? 0,
        tax_total: cart.tax_total ?? 0,
        total: cart.total ?? 0,
      },
    }
  }

  private program() {
    return this.deps_.loyaltyRulesService.getRulebook().program
  }
}
