import { CartService, PaymentProviderService, TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { LoyaltyError } from "../domain/shared/errors"
import { claimRefusal, RedemptionStatus } from "../domain/ledger/redemption-claim"
import { refusalResponse, type RefusalResponse } from "../domain/http/checkout-refusal"
import { POINTS_PAYMENT_REFERENCE } from "../domain/ledger/points-payment"

type InjectedDependencies = {
  manager: EntityManager
  cartService: CartService
  paymentProviderService: PaymentProviderService
}

/** A loyalty redemption code a cart holds, with the cart's customer and the claim that holds the code, if any. */
type HeldCode = {
  cart_customer_id: string | null
  cart_completed: boolean
  id: string
  customer_id: string
  discount_id: string
  discount_code: string
  status: RedemptionStatus
  expires_at: Date
  claimed_by_cart_id: string | null
}

/**
 * `held`: loyalty codes on the cart (0: a cart without loyalty, which the guard then leaves alone); `points_applied`:
 * the cart pays with points (read in the same statement, in the order's transaction: completeWithCartPoints skips its
 * own read of the cart when false).
 */
export type ClaimOutcome = { refusal: LoyaltyError | null; claimed_discount_ids: string[]; held: number; points_applied: boolean }

/** The early answer for a cart about to complete: the codes' refusal, and whether points are applied (to check next). */
export type CompletionPrecheck = { refusal: LoyaltyError | null; points_applied: boolean }

/** A completion answer in the shape of Medusa's CartCompletionStrategy (stored on the idempotency key). */

/**
 * The cart and the loyalty codes it holds, in one read: one row per code, or one row with a null `id` for a cart
 * without any (a cart without loyalty costs this statement and nothing else). `applied` is the points the cart pays
 * with (its metadata under POINTS_PAYMENT_REFERENCE, $2), read here so that a cart without points skips their checks.
 */
const HELD_CODES_SQL = `
  SELECT c.customer_id AS cart_customer_id, (c.completed_at IS NOT NULL) AS cart_completed, c.metadata->$2::text AS applied,
         r.id, r.customer_id, r.discount_id, r.discount_code, r.status, r.expires_at, cl.cart_id AS claimed_by_cart_id
    FROM cart c
    LEFT JOIN (cart_discounts cd JOIN loyalty_redemption r ON r.discount_id = cd.discount_id) ON cd.cart_id = c.id
    LEFT JOIN loyalty_redemption_claim cl ON cl.discount_id = r.discount_id
   WHERE c.id = $1
   ORDER BY r.id`

/** The cart's loyalty codes and whether points are applied to it, as HELD_CODES_SQL reads them. */
type CartLoyalty = { held: HeldCode[]; points_applied: boolean }

/**
 * Checkout safety for redemption codes: a code pays for at most one order, of the member who redeemed it.
 * `claim` runs inside the transaction that creates the order: it locks each redemption the cart holds (so a
 * concurrent void or settle waits), re-checks it, and inserts a claim whose primary key (the discount) admits one
 * cart; a second cart's insert waits for the first transaction and then conflicts. The other methods are early,
 * advisory checks (a cart applying a code, a cart about to authorize payment) giving the same refusal sooner.
 */
export default class LoyaltyCheckoutService extends TransactionBaseService {
  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /**
   * The refusal a completion of `cart_id` would get now, or null. Advisory (read only): lets a checkout stop before
   * payment is authorized; `claim` decides. A completed cart is never refused here (a retry returns its order).
   */
  async precheckCart(cart_id: string, now: Date = new Date()): Promise<LoyaltyError | null> {
    return (await this.precheckCompletion(cart_id, now)).refusal
  }

  /**
   * precheckCart's refusal and whether the cart pays with points, from one read without lock: what a completion of a
   * cart without loyalty costs before payment is authorized.
   */
  async precheckCompletion(cart_id: string, now: Date = new Date()): Promise<CompletionPrecheck> {
    const { held, points_applied } = await this.cartLoyalty(this.activeManager_, cart_id)
    for (const h of held) {
      if (h.cart_completed) return { refusal: null, points_applied }
      const refusal = claimRefusal(h, { customer_id: h.cart_customer_id, claimed_by_cart_id: h.claimed_by_cart_id, cart_id, now })
      if (refusal) return { refusal, points_applied }
    }
    return { refusal: null, points_applied }
  }

  /**
   * The refusal for applying `code` to a cart of `customer_id` (null: a guest), or null when the code is not a
   * loyalty code or may be applied. Advisory, as precheckCart.
   */
  async checkCode(code: string, customer_id: string | null, now: Date = new Date()): Promise<LoyaltyError | null> {
    const [row] = await this.activeManager_.query(
      `SELECT r.id, r.customer_id, r.discount_code, r.status, r.expires_at, cl.cart_id AS claimed_by_cart_id
         FROM loyalty_redemption r LEFT JOIN loyalty_redemption_claim cl ON cl.discount_id = r.discount_id
        WHERE r.discount_code = upper($1)`,
      [code]
    )
    return row ? claimRefusal(row, { customer_id, claimed_by_cart_id: row.claimed_by_cart_id, cart_id: null, now }) : null
  }

  /**
   * Claims every loyalty code `cart_id` holds for this checkout, inside the order's transaction. On a refusal
   * nothing stays claimed by this call. Returns the discounts claimed by this call (release them if the checkout
   * then ends without an order).
   */
  async claim(cart_id: string, now: Date = new Date()): Promise<ClaimOutcome> {
    return await this.atomicPhase_(async (manager) => {
      const claimed_discount_ids: string[] = []
      const { held, points_applied } = await this.cartLoyalty(manager, cart_id)
      for (const h of held) {
        const refusal = await this.claimOne(manager, cart_id, h, now)
        if (refusal === "claimed") claimed_discount_ids.push(h.discount_id)
        else if (refusal) {
          await this.withTransaction(manager).release(cart_id, claimed_discount_ids)
          return { refusal, claimed_discount_ids: [], held: held.length, points_applied }
        }
      }
      return { refusal: null, claimed_discount_ids, held: held.length, points_applied }
    })
  }

  /** Removes the claims this checkout made (it ended without an order, in the same transaction). */
  async release(cart_id: string, discount_ids: string[]): Promise<void> {
    if (!discount_ids.length) return
    await this.activeManager_.query(`DELETE FROM loyalty_redemption_claim WHERE cart_id = $1 AND discount_id = ANY($2)`, [cart_id, discount_ids])
  }

  /** Records the order the cart's claims paid for. */
  async attachOrder(cart_id: string, order_id: string): Promise<void> {
    await this.activeManager_.query(`UPDATE loyalty_redemption_claim SET order_id = $2 WHERE cart_id = $1 AND order_id IS NULL`, [cart_id, order_id])
  }

  /**
   * Ends a refused checkout the way Medusa ends one that ran out of stock: the payment authorized for it is
   * cancelled and the cart is no longer marked authorized, so the shopper can remove the code and complete again.
   */
  async refuseCompletion(cart_id: string, refusal: LoyaltyError): Promise<RefusalResponse> {
    return await this.atomicPhase_(async (manager) => {
      const carts = this.deps_.cartService.withTransaction(manager)
      const cart = await carts.retrieve(cart_id, { relations: ["payment"] })
      if (cart.payment && !cart.payment.canceled_at) {
        await this.deps_.paymentProviderService.withTransaction(manager).cancelPayment(cart.payment)
      }
      if (cart.payment_authorized_at) {
        await carts.update(cart_id, { payment_authorized_at: null } as Parameters<CartService["update"]>[1])
      }
      return refusalResponse(refusal)
    })
  }

  /** "claimed", null (this cart already holds the claim), or the refusal. */
  private async claimOne(manager: EntityManager, cart_id: string, h: HeldCode, now: Date): Promise<"claimed" | LoyaltyError | null> {
    // The lock makes a concurrent void (expiry, negative balance) and this claim take turns; FOR UPDATE returns
    // the newest committed row, so a code voided meanwhile is seen as voided.
    const [locked] = await manager.query(`SELECT status, expires_at FROM loyalty_redemption WHERE id = $1 FOR UPDATE`, [h.id])
    const current = { ...h, status: locked.status as RedemptionStatus, expires_at: new Date(locked.expires_at) }
    const early = claimRefusal(current, { customer_id: h.cart_customer_id, claimed_by_cart_id: h.claimed_by_cart_id, cart_id, now })
    if (early) return early
    const inserted = await manager.query(
      `INSERT INTO loyalty_redemption_claim (discount_id, redemption_id, cart_id, customer_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (discount_id) DO NOTHING RETURNING discount_id`,
      [h.discount_id, h.id, cart_id, h.customer_id]
    )
    if (inserted.length) return "claimed"
    // The constraint decided: someone holds the claim. Whose? (committed, since the insert waited for it.)
    const [holder] = await manager.query(`SELECT cart_id FROM loyalty_redemption_claim WHERE discount_id = $1`, [h.discount_id])
    return claimRefusal(current, { customer_id: h.cart_customer_id, claimed_by_cart_id: holder.cart_id, cart_id, now })
  }

  private async cartLoyalty(manager: EntityManager, cart_id: string): Promise<CartLoyalty> {
    const rows: (HeldCode & { applied: unknown })[] = await manager.query(HELD_CODES_SQL, [cart_id, POINTS_PAYMENT_REFERENCE])
    return {
      held: rows.filter((r) => r.id !== null).map(({ applied: _, ...r }) => ({ ...r, expires_at: new Date(r.expires_at) })),
      points_applied: rows[0]?.applied != null,
    }
  }
}
