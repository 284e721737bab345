/**
 * Paying with points in the cart: a signed-in member applies points to their cart, the cart's total shows their
 * value at once, and nothing is debited until the order's completion. This file holds the decisions both adapters
 * make: how many points a cart may take (the application bound), whether the completion may debit them (the
 * balance then, under the member's account lock) and under which key, and what a cancel or a refund gives back.
 *
 * Value: the points' worth is {@link redemptionAmountMinor} (the same rounding as a redemption code: down, so the
 * points never pay more than they are worth). Keys: every entry of a cart's points starts with
 * `cart-points:<cart_id>`, so a retried completion finds what its earlier attempts wrote.
 */
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"
import type { ProgramSettings } from "../rules/program"
import { BASIS_POINTS_ONE } from "../program/points"
import { checkRedemption, redemptionAmountMinor } from "./redemption"
import { clawbackForRefund, reversalForCancel } from "./clawback"
import type { EntryDraft } from "./ledger"
import type { LineItemFacts, OrderFacts } from "../rules/facts"
import { spreadAmountMinor } from "../program/amount-spread"

/** What the platform's cart record carries to mark points applied (Medusa v2's credit line `reference`). */
export const POINTS_PAYMENT_REFERENCE = "loyalty_points"

/** The keys of a cart's points entries. A key is forever (see entry-keys.ts). */
export const CartPointsKeys = {
  /** The debit of a completion: the first attempt `cart-points:<cart_id>`, a retry after a released one `…:<n>`. */
  debit: (cart_id: string, attempt: number) => (attempt === 0 ? `cart-points:${cart_id}` : `cart-points:${cart_id}:${attempt}`),
  /** A debit given back because its completion failed (the workflow's compensation). */
  release: (debit_key: string) => `${debit_key}:released`,
  /** The points an order paid given back by its cancel. */
  cancel: (cart_id: string) => `cart-points:${cart_id}:cancel`,
  /** The points' share of one refund given back. */
  refund: (cart_id: string, refund_id: string) => `cart-points:${cart_id}:refund:${refund_id}`,
  /** Every key above starts with this (for reading a cart's entries; filter with {@link isCartPointsKey}). */
  prefix: (cart_id: string) => `cart-points:${cart_id}`,
} as const

/** Whether `key` is one of `cart_id`'s keys (a prefix match alone would also take cart_12's for cart_1). */
export function isCartPointsKey(cart_id: string, key: string): boolean {
  const prefix = CartPointsKeys.prefix(cart_id)
  return key === prefix || key.startsWith(`${prefix}:`)
}

/** The cart the points would pay for, as the application bound needs it. */
export interface PointsPaymentCart {
  /** The goods the points may pay: the items' total after discounts (tax as the region shows it), never shipping. */
  goods_minor: number
  /** Decimals of the cart's currency (2 for USD, 0 for JPY). */
  currency_decimals: number
}

/** Points accepted for a cart and what they are worth there. */
export interface AppliedPoints {
  points: number
  amount_minor: number
}

/**
 * The largest amount points may pay for `goods_minor` of goods: floor(goods × max_cart_share_bps / 10000), ≥ 0.
 * Invariant: never more than the goods.
 */
export function maxPointsAmountMinor(goods_minor: number, program: ProgramSettings): number {
  assertCount(goods_minor, "goods_minor")
  return Number((BigInt(goods_minor) * BigInt(program.redemption.max_cart_share_bps)) / BigInt(BASIS_POINTS_ONE))
}

/**
 * The most points a cart of `goods_minor` may take: the largest multiple of step_points whose value is at most
 * {@link maxPointsAmountMinor} (0 when even step_points is worth more).
 * Invariant: redemptionAmountMinor(result) ≤ maxPointsAmountMinor(goods); result + step_points would exceed it.
 */
export function maxCartPoints(cart: PointsPaymentCart, program: ProgramSettings): number {
  const { points_per_currency_unit, step_points } = program.redemption
  assertCount(cart.currency_decimals, "currency_decimals")
  const max_minor = BigInt(maxPointsAmountMinor(cart.goods_minor, program))
  // floor(p × 10^d / ppu) ≤ M  ⇔  p × 10^d < (M + 1) × ppu  ⇔  p ≤ ((M + 1) × ppu − 1) / 10^d
  const raw = ((max_minor + BigInt(1)) * BigInt(points_per_currency_unit) - BigInt(1)) / BigInt(10) ** BigInt(cart.currency_decimals)
  const stepped = raw - (raw % BigInt(step_points))
  return Number(stepped > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) - (BigInt(Number.MAX_SAFE_INTEGER) % BigInt(step_points)) : stepped)
}

/**
 * The application bound: refuses points the program does not allow for this cart, else returns their value.
 * Checked in this order (input errors never reveal the balance): not a positive integer, min_points, step_points
 * (INVALID_INPUT, field `points`, as a redemption); more than max_cart_share_bps of the goods → INVALID_INPUT
 * field `points` with `max_points` (the most this cart may take) and `max_amount_minor`; then balance_available <
 * points → INSUFFICIENT_POINTS `{ requested, available }`.
 * Invariant: returns only points the member can afford whose value is at most the program's share of the goods.
 */
export function checkCartPoints(points: number, balance_available: number, cart: PointsPaymentCart, program: ProgramSettings): AppliedPoints {
  checkRedemption(points, Number.MAX_SAFE_INTEGER, program)
  const amount_minor = redemptionAmountMinor(points, program, cart.currency_decimals)
  const max_amount_minor = maxPointsAmountMinor(cart.goods_minor, program)
  if (amount_minor > max_amount_minor) {
    const max_points = maxCartPoints(cart, program)
    const share = `${program.redemption.max_cart_share_bps / 100}%`
    throw new LoyaltyError(
      LoyaltyErrorCodes.INVALID_INPUT,
      `points may pay at most ${share} of the cart's goods (${max_amount_minor} minor units): ${points} points are worth ${amount_minor}; apply at most ${max_points} points`,
      { field: "points", points, max_points, max_amount_minor, amount_minor }
    )
  }
  checkRedemption(points, balance_available, program)
  return { points, amount_minor }
}

/** An entry already written under a cart's keys (kind and key are enough). */
export interface CartPointsEntry {
  idempotency_key: string
  points: number
}

/** What the completion knows before it takes the member's account lock. */
export interface CartPointsCompletion {
  cart_id: string
  /** The cart's customer now (null: a guest cart). */
  customer_id: string | null
  /** Who applied the points, and how many, worth what (the platform's record of the application). */
  applied: { customer_id: string; points: number; amount_minor: number; currency_code: string }
  /** The goods of the cart now: the cart may have changed since the points were applied. */
  goods_minor: number
  /** Entries already under CartPointsKeys.prefix(cart_id): earlier attempts of this completion. */
  prior: readonly CartPointsEntry[]
}

export type CartPointsDebitPlan =
  /** Debit under `idempotency_key` once the locked balance allows it ({@link cartPointsDebitDraft}). */
  | { action: "debit"; idempotency_key: string }
  /** An earlier attempt of this cart's completion debited the points and nothing gave them back: debit nothing. */
  | { action: "already_debited"; idempotency_key: string }

/**
 * The completion's plan, before the lock: refuses a cart whose customer is not the member who applied the points
 * (REDEMPTION_NOT_YOURS) or whose goods shrank below what the points pay (INVALID_INPUT, field `points`, re-apply
 * fewer); else the key to debit under: the first debit of the cart not released since, or a new attempt's key
 * after released ones. Relies on the platform serializing completions of one cart (Medusa locks the cart id).
 * Invariant: at most one unreleased debit per cart, so a cart pays its points once whatever the retries.
 */
export function cartPointsDebitPlan(c: CartPointsCompletion, program: ProgramSettings): CartPointsDebitPlan {
  if (c.customer_id !== c.applied.customer_id) {
    throw new LoyaltyError(
      LoyaltyErrorCodes.REDEMPTION_NOT_YOURS,
      "The points on this cart belong to another customer: only the member who applied them can pay with them, signed in. Remove them to complete the order without points.",
      { cart_id: c.cart_id }
    )
  }
  const max_amount_minor = maxPointsAmountMinor(c.goods_minor, program)
  if (c.applied.amount_minor > max_amount_minor) {
    throw new LoyaltyError(
      LoyaltyErrorCodes.INVALID_INPUT,
      `The cart changed: its points (worth ${c.applied.amount_minor}) now pay more than the program allows (${max_amount_minor}). Apply fewer points, or complete the order without points.`,
      { field: "points", cart_id: c.cart_id, amount_minor: c.applied.amount_minor, max_amount_minor }
    )
  }
  const keys = new Set(c.prior.map((e) => e.idempotency_key))
  for (let attempt = 0; ; attempt++) {
    const key = CartPointsKeys.debit(c.cart_id, attempt)
    if (!keys.has(key)) return { action: "debit", idempotency_key: key }
    if (!keys.has(CartPointsKeys.release(key))) return { action: "already_debited", idempotency_key: key }
  }
}

/**
 * The debit of a completion, decided under the member's account lock: the balance now must still hold the applied
 * points, else INSUFFICIENT_POINTS `{ requested, available, cart_id }` with a message saying the order can be
 * completed without points. Kind `redemption` (points exchanged for value), floor `refuse`, source = the cart.
 * Invariant: returns a draft only when balance_available ≥ points; the balance never goes below zero by it.
 */
export function cartPointsDebitDraft(c: CartPointsCompletion, idempotency_key: string, balance_available: number): EntryDraft {
  const { points, amount_minor, currency_code, customer_id } = c.applied
  if (balance_available < points) {
    throw new LoyaltyError(
      LoyaltyErrorCodes.INSUFFICIENT_POINTS,
      `Not enough points: this cart uses ${points} points but only ${balance_available} are available now. Remove the points to complete the order without them.`,
      { requested: points, available: balance_available, cart_id: c.cart_id }
    )
  }
  return {
    customer_id,
    kind: "redemption",
    points: -points,
    floor: "refuse",
    idempotency_key,
    source_id: c.cart_id,
    reason: `paid ${amount_minor} ${currency_code} (minor units) of cart ${c.cart_id} with points`,
    details: { cart_id: c.cart_id, amount_minor, currency_code, payment: POINTS_PAYMENT_REFERENCE },
  }
}

/**
 * The give-back of a debit whose completion failed (no order): the same points back under
 * CartPointsKeys.release(debit key), kind `redemption_void`. Invariant: once per debit; a retry then debits anew.
 */
export function cartPointsReleaseDraft(debit: { customer_id: string; idempotency_key: string; points: number; cart_id: string }): EntryDraft {
  return {
    customer_id: debit.customer_id,
    kind: "redemption_void",
    points: -debit.points,
    idempotency_key: CartPointsKeys.release(debit.idempotency_key),
    source_id: debit.cart_id,
    reason: "the order's completion failed: the points it debited come back",
    details: { cart_id: debit.cart_id, debit_key: debit.idempotency_key },
  }
}

/** What an order paid with points, and what came back of it already. */
export interface PaidPoints {
  customer_id: string
  cart_id: string
  order_id: string
  /** Points the completion debited (positive). */
  spent_points: number
  /** Σ points given back already by earlier refunds (positive). */
  returned_before_points: number
}

/**
 * A cancel's give-back: every spent point not given back yet (the reversal rule of an order's accrual, reused), kind
 * `redemption_void`, key CartPointsKeys.cancel; null when nothing is left.
 * Invariant: after it, the order's give-backs sum to exactly the spent points.
 */
export function pointsPaymentCancelDraft(p: PaidPoints): EntryDraft | null {
  const points = reversalForCancel({ earned_points: p.spent_points, clawed_before_points: p.returned_before_points })
  if (points === 0) return null
  return giveBack(p, points, CartPointsKeys.cancel(p.cart_id), "order canceled: the points it was paid with come back", {})
}

/**
 * A refund's give-back: the points follow the money, cumulatively (the clawback rule, reused): after refunds
 * totalling R of the money paid T (the order's total after the points), floor(spent × min(R, T) / T) points are
 * back in all; this refund gives the difference. null when it is 0.
 * Invariants: Σ give-backs ≤ spent whatever the split of refunds; refunding all the money gives all the points back.
 */
export function pointsPaymentRefundDraft(
  p: PaidPoints,
  refund: { refund_id: string; paid_total_minor: number; refunded_before_minor: number; refund_minor: number }
): EntryDraft | null {
  const points = clawbackForRefund({
    earned_points: p.spent_points,
    order_total_minor: refund.paid_total_minor,
    refunded_before_minor: refund.refunded_before_minor,
    refund_minor: refund.refund_minor,
    clawed_before_points: p.returned_before_points,
  })
  if (points === 0) return null
  return giveBack(p, points, CartPointsKeys.refund(p.cart_id, refund.refund_id), `refund ${refund.refund_id}: its share of the points paid comes back`, {
    refund_id: refund.refund_id,
    refund_minor: refund.refund_minor,
  })
}

function giveBack(p: PaidPoints, points: number, idempotency_key: string, reason: string, details: Record<string, unknown>): EntryDraft {
  return {
    customer_id: p.customer_id,
    kind: "redemption_void",
    points,
    idempotency_key,
    order_id: p.order_id,
    source_id: p.cart_id,
    reason,
    details: { cart_id: p.cart_id, ...details },
  }
}

/**
 * What an order's cart has paid with points and given back, from the entries under CartPointsKeys.prefix(cart_id):
 * spent = Σ unreleased debits (at most one), returned = Σ cancel and refund give-backs.
 */
export function paidPointsOf(cart_id: string, entries: readonly CartPointsEntry[]): { spent_points: number; returned_before_points: number } {
  const keys = new Set(entries.map((e) => e.idempotency_key))
  let spent_points = 0
  let returned_before_points = 0
  const cancel = CartPointsKeys.cancel(cart_id)
  const refund = `${CartPointsKeys.prefix(cart_id)}:refund:`
  for (const e of entries) {
    const k = e.idempotency_key
    if (!isCartPointsKey(cart_id, k)) continue
    if (k === cancel || k.startsWith(refund)) returned_before_points += e.points
    else if (!k.endsWith(":released") && !keys.has(CartPointsKeys.release(k))) spent_points += -e.points
  }
  return { spent_points, returned_before_points }
}

function assertCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `${field} must be a safe integer ≥ 0, got ${value}`, { field })
  }
}

/**
 * An order's facts with the goods it paid for with points counted as a discount, so that goods paid with points earn
 * nothing on either major. Medusa v1 lowers the lines with adjustments it already counts in `discount_total`; Medusa
 * v2 pays with a credit line outside the lines' totals, so its adapter passes the credit line's amount here.
 * Invariants: `discount_total` grows by `paid_minor` (capped at the goods left after discounts, which the application
 * bound never exceeds), spread over the lines in proportion to those goods (spreadAmountMinor): each line's
 * discount grows and its total drops by its share, as v1's adjustments do; the order's subtotal, tax and total are
 * unchanged (v2's order total already leaves the credit out); 0 returns the facts as they are.
 */
export function withPointsPaidAsDiscount<F extends Omit<OrderFacts, "created_at">>(order: F, paid_minor: number): F {
  if (paid_minor === 0) return order
  const goods = (item: LineItemFacts) => Math.max(0, item.subtotal - item.discount_total)
  const paid = Math.min(paid_minor, order.items.reduce((sum, item) => sum + goods(item), 0))
  const shares = new Map(spreadAmountMinor(paid, order.items.map((item) => ({ id: item.id, goods_minor: goods(item) }))).map((s) => [s.id, s.amount_minor]))
  return {
    ...order,
    discount_total: order.discount_total + paid,
    items: order.items.map((item) => {
      const share = shares.get(item.id) ?? 0
      return { ...item, discount_total: item.discount_total + share, total: item.total - share }
    }),
  }
}
