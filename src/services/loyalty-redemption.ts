import { randomBytes } from "crypto"
import {
  CartService,
  DiscountService,
  generateEntityId,
  Logger,
  OrderService,
  RegionService,
  TransactionBaseService,
} from "@medusajs/medusa"
import { EntityManager, In, LessThan } from "typeorm"
import { canonicalJson, sha256Hex } from "../domain/shared/canonical-json"
import { currencyDecimals } from "../domain/shared/currency"
import { LoyaltyError, LoyaltyErrorCodes } from "../domain/shared/errors"
import { checkRedemption, redemptionAmountMinor, redemptionCode, redemptionExpiresAt, REDEMPTION_CODE_RANDOM_BYTES, redemptionEntryDraft, redemptionVoidEntryDraft } from "../domain/ledger/redemption"
import { LoyaltyRedemption } from "../models/loyalty-redemption"
import LoyaltyLedgerService, { Page } from "./loyalty-ledger"
import LoyaltyRulesService from "./loyalty-rules"
import { EntryKeys } from "../domain/ledger/entry-keys"

type InjectedDependencies = {
  manager: EntityManager
  logger: Logger
  cartService: CartService
  discountService: DiscountService
  orderService: OrderService
  regionService: RegionService
  loyaltyLedgerService: LoyaltyLedgerService
  loyaltyRulesService: LoyaltyRulesService
  eventBusService: { withTransaction(m: EntityManager): { emit(event: string, data: unknown): Promise<unknown> } }
}

export type RedeemInput = { customer_id: string; points: number; region_id?: string; cart_id?: string; client_key: string }
export type RedeemResult = { redemption: LoyaltyRedemption; replayed: boolean }
export type VoidOutcome = "voided" | "settled" | "skipped"
export type VoidCounts = { examined: number; voided: number; settled: number; skipped: number; failed: number }

const CODE_ATTEMPTS = 5

/**
 * Points → single-use Medusa discount codes. `redeem` reserves the points (a `redemption` entry, never overdrawing)
 * and creates the discount in one transaction under the account lock; an order using the code settles it; a code
 * that expires unused is voided and its points come back (`redemption_void`).
 */
export default class LoyaltyRedemptionService extends TransactionBaseService {
  static Events = {
    POINTS_REDEEMED: "loyalty.points_redeemed",
    /** A code was issued: { customer_id, redemption_id, entry_id, points, code, amount_minor, currency_code, expires_at } (for a notification). */
    REDEMPTION_ISSUED: "loyalty.redemption_issued",
    REDEMPTION_SETTLED: "loyalty.redemption_settled",
    REDEMPTION_VOIDED: "loyalty.redemption_voided",
  }

  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /**
   * Exchanges `points` for a discount code valid in `region_id` (or the region of `cart_id`, which then gets the
   * code applied, in the same transaction). Same client key + same request → the stored redemption (replayed);
   * same key, another request → IDEMPOTENCY_CONFLICT. Refusals (input, not found, insufficient points, a cart that
   * refuses the code) write nothing.
   */
  async redeem(input: RedeemInput): Promise<RedeemResult> {
    const { customer_id, points, region_id, cart_id } = input
    if (!region_id === !cart_id) {
      throw invalid("exactly one of region_id or cart_id is required", "region_id")
    }
    const program = this.deps_.loyaltyRulesService.getRulebook().program
    checkRedemption(points, Number.MAX_SAFE_INTEGER, program) // input errors before anything else
    const key = EntryKeys.redemption(customer_id, input.client_key)
    const hash = sha256Hex(canonicalJson({ points, region_id: region_id ?? null, cart_id: cart_id ?? null }))

    return await this.atomicPhase_(async (manager) => {
      const earlier = await this.findByKey(manager, key, hash)
      if (earlier) {
        return { redemption: earlier, replayed: true }
      }
      const target = await this.resolveTarget(manager, customer_id, region_id, cart_id)
      const redemption_id = generateEntityId("", "lred")
      const out: { created?: LoyaltyRedemption } = {}
      const posted = await this.deps_.loyaltyLedgerService
        .withTransaction(manager)
        .postUnderLock(customer_id, key, async ({ account }) => {
          checkRedemption(points, account.points_balance, program)
          const now = new Date()
          const amount_minor = redemptionAmountMinor(points, program, currencyDecimals(target.currency_code))
          if (amount_minor <= 0) {
            throw invalid(`points ${points} are worth less than one minor unit of ${target.currency_code}`, "points")
          }
          const code = await this.freshCode(manager)
          const expires_at = redemptionExpiresAt(now, program)
          const discount = await this.deps_.discountService.withTransaction(manager).create({
            code,
            is_dynamic: false,
            is_disabled: false,
            regions: [target.region_id],
            usage_limit: 1,
            starts_at: now,
            ends_at: expires_at,
            rule: { type: "fixed", value: amount_minor, allocation: "total", description: `Loyalty: ${points} points` },
            metadata: { loyalty_redemption_id: redemption_id, customer_id },
          } as Parameters<DiscountService["create"]>[0])
          const repo = manager.getRepository(LoyaltyRedemption)
          out.created = await repo.save(
            repo.create({
              id: redemption_id,
              customer_id,
              points,
              amount_minor,
              currency_code: target.currency_code,
              region_id: target.region_id,
              discount_id: discount.id,
              discount_code: discount.code,
              cart_id: cart_id ?? null,
              status: "reserved",
              expires_at,
              idempotency_key: key,
              payload_hash: hash,
            })
          )
          const redeemed = { redemption_id, customer_id, points, code: discount.code, amount_minor, currency_code: target.currency_code }
          return redemptionEntryDraft({ ...redeemed, links: { discount_id: discount.id } }, input.client_key)
        })
      if (posted.replayed || !out.created) {
        // A concurrent request with the same key won the lock: answer what it stored.
        return { redemption: (await this.findByKey(manager, key, hash))!, replayed: true }
      }
      const redemption = out.created
      if (cart_id) {
        await this.applyToCart(manager, cart_id, redemption.discount_code)
      }
      await this.deps_.eventBusService.withTransaction(manager).emit(LoyaltyRedemptionService.Events.POINTS_REDEEMED, {
        customer_id,
        redemption_id: redemption.id,
        entry_id: posted.entry?.id,
        points,
      })
      await this.deps_.eventBusService.withTransaction(manager).emit(LoyaltyRedemptionService.Events.REDEMPTION_ISSUED, {
        customer_id,
        redemption_id: redemption.id,
        entry_id: posted.entry?.id,
        points,
        code: redemption.discount_code,
        amount_minor: redemption.amount_minor,
        currency_code: redemption.currency_code,
        expires_at: new Date(redemption.expires_at).toISOString(),
      })
      return { redemption, replayed: false }
    })
  }

  /** A customer's redemptions, newest first. */
  async listForCustomer(customer_id: string, page: Page): Promise<[LoyaltyRedemption[], number]> {
    return await this.activeManager_.getRepository(LoyaltyRedemption).findAndCount({
      where: { customer_id },
      order: { created_at: "DESC", id: "DESC" },
      skip: page.offset,
      take: page.limit,
    })
  }

  /**
   * order.placed: every reserved redemption whose discount the order used becomes `settled` (order_id,
   * settled_at) and its discount is disabled. Idempotent: only reserved rows change. Returns the redemptions settled
   * by this call.
   */
  async settleForOrder(order_id: string, now: Date = new Date()): Promise<LoyaltyRedemption[]> {
    return await this.atomicPhase_(async (manager) => {
      const order = await this.deps_.orderService.withTransaction(manager).retrieve(order_id, { relations: ["discounts"] })
      const discount_ids = (order.discounts ?? []).map((d) => d.id)
      if (!discount_ids.length) {
        return []
      }
      const rows = await manager.getRepository(LoyaltyRedemption).find({ where: { discount_id: In(discount_ids) } })
      const settled: LoyaltyRedemption[] = []
      for (const row of rows) {
        if (row.status === "voided") {
          this.deps_.logger.warn(`loyalty: order ${order_id} used the code of voided redemption ${row.id}`)
        }
        if (await this.markSettled(manager, row, order_id, now)) {
          settled.push(row)
        }
      }
      return settled
    })
  }

  /**
   * Reconcile: every reserved redemption whose code an order used (the order has the discount, or a checkout claim
   * names the order) though its order.placed was never handled, settled as that event would have (one transaction
   * each). Idempotent. Returns how many were settled.
   */
  async settleUsed(now: Date = new Date()): Promise<{ examined: number; settled: number; failed: number }> {
    const used: { order_id: string }[] = await this.activeManager_.query(
      `SELECT DISTINCT coalesce(od.order_id, cl.order_id) AS order_id
         FROM loyalty_redemption r
         LEFT JOIN order_discounts od ON od.discount_id = r.discount_id
         LEFT JOIN loyalty_redemption_claim cl ON cl.discount_id = r.discount_id AND cl.order_id IS NOT NULL
        WHERE r.status = 'reserved' AND coalesce(od.order_id, cl.order_id) IS NOT NULL`
    )
    const counts = { examined: used.length, settled: 0, failed: 0 }
    for (const { order_id } of used) {
      try {
        const run = (m: EntityManager) => this.withTransaction(m).settleForOrder(order_id, now)
        counts.settled += (this.transactionManager_ ? await run(this.transactionManager_) : await this.manager_.transaction(run)).length
      } catch (e) {
        counts.failed++
        this.deps_.logger.error(`loyalty: settling the redemptions of order ${order_id} failed: ${(e as Error).message}`)
      }
    }
    return counts
  }

  /**
   * The expiry sweep: every reserved redemption whose code expired before `now` and was never used gets its points
   * back (`redemption_void` +points, key `redemption_void:{id}`), becomes `voided` and its discount is disabled and
   * taken off open carts, all in one transaction per redemption (one failure does not block the others). A code an
   * order did use (its order.placed not handled yet) is settled instead. Idempotent.
   */
  async voidExpired(now: Date): Promise<VoidCounts> {
    const candidates = await this.activeManager_.getRepository(LoyaltyRedemption).find({
      select: { id: true },
      where: { status: "reserved", expires_at: LessThan(now) },
      order: { expires_at: "ASC" },
    })
    const counts: VoidCounts = { examined: candidates.length, voided: 0, settled: 0, skipped: 0, failed: 0 }
    for (const { id } of candidates) {
      try {
        const outcome = this.transactionManager_
          ? await this.voidOne(this.transactionManager_, id, now)
          : await this.manager_.transaction((m) => this.withTransaction(m).voidOne(m, id, now))
        counts[outcome]++
      } catch (e) {
        counts.failed++
        this.deps_.logger.error(`loyalty: voiding redemption ${id} failed: ${(e as Error).message}`)
      }
    }
    return counts
  }

  protected async voidOne(manager: EntityManager, id: string, now: Date): Promise<VoidOutcome> {
    const row = await manager
      .getRepository(LoyaltyRedemption)
      .createQueryBuilder("r")
      .setLock("pessimistic_write")
      .where("r.id = :id", { id })
      .getOne()
    if (!row || row.status !== "reserved" || row.expires_at >= now) {
      return "skipped"
    }
    // Used: an order has the discount, Medusa counted a use, or a checkout claimed it (its claim waits for or
    // follows our row lock, so a claim committed before the lock is seen here and one after sees "voided").
    const [used] = await manager.query(
      `SELECT coalesce(od.order_id, cl.order_id) AS order_id, d.usage_count, (cl.discount_id IS NOT NULL) AS claimed
         FROM discount d LEFT JOIN order_discounts od ON od.discount_id = d.id
         LEFT JOIN loyalty_redemption_claim cl ON cl.discount_id = d.id
        WHERE d.id = $1 ORDER BY od.order_id NULLS LAST LIMIT 1`,
      [row.discount_id]
    )
    if (used && (used.order_id || used.claimed || Number(used.usage_count) > 0)) {
      await this.markSettled(manager, row, used.order_id ?? null, now)
      return "settled"
    }
    await this.deps_.loyaltyLedgerService.withTransaction(manager).postUnderLock(row.customer_id, EntryKeys.redemptionVoid(row.id), async () =>
      redemptionVoidEntryDraft(redeemedCode(row), "expired", { expires_at: row.expires_at })
    )
    await this.retireUnused(manager, row, now, "expired")
    return "voided"
  }

  /** reserved → settled and the discount disabled, exactly once (a conditional update decides concurrent settlements). */
  private async markSettled(manager: EntityManager, row: LoyaltyRedemption, order_id: string | null, now: Date): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(LoyaltyRedemption)
      .set({ status: "settled", order_id, settled_at: now })
      .where("id = :id AND status = 'reserved'", { id: row.id })
      .execute()
    if (!result.affected) {
      return false
    }
    // Used up: disabled as well as counted, so Medusa itself refuses it on new carts even when its own usage_count
    // update (its order.placed subscriber) is late or missing; and taken off every cart that still holds it.
    await this.deps_.discountService.withTransaction(manager).update(row.discount_id, { is_disabled: true })
    await this.removeFromOpenCarts(manager, row)
    await this.deps_.eventBusService.withTransaction(manager).emit(LoyaltyRedemptionService.Events.REDEMPTION_SETTLED, {
      customer_id: row.customer_id,
      redemption_id: row.id,
      order_id,
    })
    return true
  }

  /**
   * Takes the code off every open cart that holds it (a code applied to several carts before its use or void), so
   * those shoppers see the cart without it instead of a refusal at checkout.
   */
  private async removeFromOpenCarts(manager: EntityManager, row: LoyaltyRedemption): Promise<void> {
    const openCarts: { cart_id: string }[] = await manager.query(
      `SELECT cd.cart_id FROM cart_discounts cd JOIN cart c ON c.id = cd.cart_id WHERE cd.discount_id = $1 AND c.completed_at IS NULL`,
      [row.discount_id]
    )
    for (const { cart_id } of openCarts) {
      await this.deps_.cartService.withTransaction(manager).removeDiscount(cart_id, row.discount_code)
    }
  }

  /** The redemption stored under `key`: a replay when the request matches, IDEMPOTENCY_CONFLICT otherwise. */
  private async findByKey(manager: EntityManager, key: string, hash: string): Promise<LoyaltyRedemption | null> {
    const stored = await manager.getRepository(LoyaltyRedemption).findOne({ where: { idempotency_key: key } })
    if (stored && stored.payload_hash !== hash) {
      throw new LoyaltyError(
        LoyaltyErrorCodes.IDEMPOTENCY_CONFLICT,
        "This Idempotency-Key was already used for a different redemption request; use a new key for a new redemption",
        { idempotency_key: key }
      )
    }
    return stored
  }

  /** The region (and its currency) the code is for: the given region, or the region of the customer's own open cart. */
  private async resolveTarget(
    manager: EntityManager,
    customer_id: string,
    region_id: string | undefined,
    cart_id: string | undefined
  ): Promise<{ region_id: string; currency_code: string }> {
    if (cart_id) {
      const cart = await this.deps_.cartService
        .withTransaction(manager)
        .retrieve(cart_id, { select: ["id", "customer_id", "region_id", "completed_at"] })
        .catch(() => null)
      if (!cart || cart.customer_id !== customer_id) {
        throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Cart ${cart_id} was not found`, { field: "cart_id", cart_id })
      }
      if (cart.completed_at) {
        throw invalid(`cart ${cart_id} is already completed`, "cart_id")
      }
      region_id = cart.region_id
    }
    const region = await this.deps_.regionService
      .withTransaction(manager)
      .retrieve(region_id!, { select: ["id", "currency_code"] })
      .catch(() => null)
    if (!region) {
      throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Region ${region_id} was not found`, { field: "region_id", region_id })
    }
    return { region_id: region.id, currency_code: region.currency_code }
  }

  /** A code no discount (even a deleted one) has; 40 random bits make a retry rare. */
  private async freshCode(manager: EntityManager): Promise<string> {
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const code = redemptionCode(randomBytes(REDEMPTION_CODE_RANDOM_BYTES))
      const taken = await manager.query(`SELECT 1 FROM discount WHERE code = $1 LIMIT 1`, [code])
      if (!taken.length) {
        return code
      }
    }
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `no free discount code after ${CODE_ATTEMPTS} attempts`)
  }

  /** Adds the code to the cart, keeping its free-shipping codes (Medusa allows one other discount per cart). */
  private async applyToCart(manager: EntityManager, cart_id: string, code: string): Promise<void> {
    const carts = this.deps_.cartService.withTransaction(manager)
    const cart = await carts.retrieve(cart_id, { relations: ["discounts", "discounts.rule"] })
    const keep = cart.discounts.filter((d) => d.rule?.type === "free_shipping").map((d) => ({ code: d.code }))
    await carts.update(cart_id, { discounts: [...keep, { code }] })
  }

  /**
   * After a cancel or refund clawback took the balance below zero: the customer's unused codes are voided, newest
   * first, each giving its points back (`redemption_void`, key `redemption_void:{id}`, as for an expired code), until
   * the balance is no longer negative or no unused code is left. Unused: reserved, and no order used its discount
   * (none in order_discounts, Medusa's usage count 0), so a code an order took whose settlement is still on its way
   * stays, like a settled one. Returns the codes voided.
   * Locks: runs in the caller's transaction, typically holding the account lock already; codes locked by another
   * transaction (being settled, or voided by the expiry run, which locks the code before the account) are skipped,
   * never waited for, so the two orders of locking cannot deadlock.
   */
  async voidUnusedWhileNegative(customer_id: string, now: Date = new Date()): Promise<LoyaltyRedemption[]> {
    return await this.atomicPhase_(async (manager) => {
      const ids: string[] = (
        await manager.query(
          `SELECT r.id FROM loyalty_redemption r JOIN discount d ON d.id = r.discount_id
            WHERE r.customer_id = $1 AND r.status = 'reserved' AND coalesce(d.usage_count, 0) = 0
              AND NOT EXISTS (SELECT 1 FROM order_discounts od WHERE od.discount_id = r.discount_id)
              AND NOT EXISTS (SELECT 1 FROM loyalty_redemption_claim cl WHERE cl.discount_id = r.discount_id)
            ORDER BY r.created_at DESC, r.id DESC
              FOR UPDATE OF r SKIP LOCKED`,
          [customer_id]
        )
      ).map((r: { id: string }) => r.id)
      const rows = await manager.getRepository(LoyaltyRedemption).find({ where: { id: In(ids) } })
      const voided: LoyaltyRedemption[] = []
      for (const row of ids.map((id) => rows.find((r) => r.id === id)!)) {
        if (!(await this.giveBackWhileNegative(manager, row))) break
        await this.retireUnused(manager, row, now, "negative_balance")
        voided.push(row)
      }
      return voided
    })
  }

  /** Posts the code's `redemption_void` when the (locked) balance is still negative; false when it is not. */
  private async giveBackWhileNegative(manager: EntityManager, row: LoyaltyRedemption): Promise<boolean> {
    const key = EntryKeys.redemptionVoid(row.id)
    const posted = await this.deps_.loyaltyLedgerService.withTransaction(manager).postUnderLock(row.customer_id, key, async ({ account }) =>
      account.points_balance >= 0 ? null : redemptionVoidEntryDraft(redeemedCode(row), "negative_balance", { balance_before: account.points_balance })
    )
    return posted.entry !== null
  }

  /** A voided code: marked voided, its discount disabled and taken off open carts, the voided event emitted. */
  private async retireUnused(manager: EntityManager, row: LoyaltyRedemption, now: Date, reason: "expired" | "negative_balance"): Promise<void> {
    await manager.getRepository(LoyaltyRedemption).update({ id: row.id }, { status: "voided", voided_at: now })
    await this.deps_.discountService.withTransaction(manager).update(row.discount_id, { is_disabled: true })
    await this.removeFromOpenCarts(manager, row)
    await this.deps_.eventBusService.withTransaction(manager).emit(LoyaltyRedemptionService.Events.REDEMPTION_VOIDED, {
      customer_id: row.customer_id,
      redemption_id: row.id,
      points: row.points,
      reason,
    })
  }
}

function invalid(message: string, field: string): LoyaltyError {
  return new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, message, { field })
}

/** A stored redemption as the core's drafts name it (its Medusa discount in the links). */
function redeemedCode(row: LoyaltyRedemption) {
  return { redemption_id: row.id, customer_id: row.customer_id, points: row.points, code: row.discount_code, links: { discount_id: row.discount_id } }
}
