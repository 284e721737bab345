/**
 * Paying with points in the cart (decisions: core/domain/ledger/points-payment.ts). Applied points are a v2 cart
 * credit line (reference "loyalty_points", Medusa's mechanism for store credit): the cart's total drops by their
 * value at once, its tax does not (tender, not a discount: docs/pay-with-points.md), and nothing is debited. The
 * debit happens in the complete-cart workflow's validate hook, after the redemption-code guard, under the member's
 * account lock; an order's cancel gives the points back, a refund its share of them.
 */
import { MedusaError } from "@medusajs/framework/utils"
import { createCartCreditLinesWorkflow, deleteCartCreditLinesWorkflow, refreshPaymentCollectionForCartWorkflow } from "@medusajs/medusa/core-flows"
import { currencyDecimals } from "../../core/domain/shared/currency"
import { isLoyaltyError, LoyaltyError, LoyaltyErrorCodes } from "../../core/domain/shared/errors"
import {
  cartPointsDebitDraft,
  cartPointsDebitPlan,
  cartPointsReleaseDraft,
  checkCartPoints,
  isCartPointsKey,
  maxCartPoints,
  paidPointsOf,
  pointsPaymentCancelDraft,
  pointsPaymentRefundDraft,
  CartPointsKeys,
  POINTS_PAYMENT_REFERENCE,
  type CartPointsCompletion,
  type PaidPoints,
} from "../../core/domain/ledger/points-payment"
import type { EntryDraft } from "../../core/domain/ledger/ledger"
import { refundsOfOrder } from "../order-points/order-facts"
import { loyaltyOf, queryOf, type Resolver } from "../../lib/container"
import { toMajorUnits, toMinorUnits } from "../../lib/money"
import { memberAccount } from "../members/member-account"

type CreditLine = { id: string; reference?: string | null; amount?: unknown; metadata?: Record<string, unknown> | null }
type PointsCart = { id: string; customer_id?: string | null; currency_code: string; item_total?: unknown; completed_at?: unknown; credit_lines?: Array<CreditLine | null> | null }

/** What the routes answer (core/domain/http/cart-points.ts): the points on the cart, the most it may take, its totals (minor units). */
export type CartPointsView = {
  cart_id: string
  points: number
  amount_minor: number
  currency_code: string
  max_points: number
  totals: { subtotal: number; discount_total: number; shipping_total: number; tax_total: number; total: number }
}

const TOTALS = ["subtotal", "discount_total", "shipping_total", "tax_total", "total"] as const
const CART_FIELDS = ["id", "customer_id", "currency_code", "item_total", "completed_at", "credit_lines.*", ...TOTALS]

const pointsLines = (cart: PointsCart) => (cart.credit_lines ?? []).filter((l): l is CreditLine => l?.reference === POINTS_PAYMENT_REFERENCE)

/** The member's own open cart, or NOT_FOUND (another customer's cart is not revealed). */
async function memberCart(scope: Resolver, cart_id: string, customer_id: string): Promise<PointsCart & Record<(typeof TOTALS)[number], unknown>> {
  const { data } = await queryOf(scope).graph({ entity: "cart", fields: CART_FIELDS, filters: { id: cart_id } })
  const cart = data[0]
  if (!cart || cart.customer_id !== customer_id) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Cart ${cart_id} was not found`, { cart_id })
  if (cart.completed_at) throw new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, `cart ${cart_id} is already completed`, { field: "cart_id", cart_id })
  return cart
}

async function view(scope: Resolver, cart_id: string, customer_id: string): Promise<CartPointsView> {
  const cart = await memberCart(scope, cart_id, customer_id)
  const line = pointsLines(cart)[0]
  const decimals = currencyDecimals(cart.currency_code)
  const goods_minor = Math.max(toMinorUnits(cart.item_total, decimals), 0)
  return {
    cart_id,
    points: Number(line?.metadata?.points ?? 0),
    amount_minor: line ? toMinorUnits(line.amount, decimals) : 0,
    currency_code: cart.currency_code,
    max_points: maxCartPoints({ goods_minor, currency_decimals: decimals }, loyaltyOf(scope).getRulebook().program),
    totals: Object.fromEntries(TOTALS.map((k) => [k, toMinorUnits(cart[k], decimals)])) as CartPointsView["totals"],
  }
}

/** Replaces the cart's points by `points` (the core's bound against the balance now and the goods now). */
export async function applyCartPoints(scope: Resolver, input: { cart_id: string; customer_id: string; points: number }): Promise<CartPointsView> {
  const { cart_id, customer_id, points } = input
  const cart = await memberCart(scope, cart_id, customer_id)
  const account = await memberAccount(scope, customer_id)
  const decimals = currencyDecimals(cart.currency_code)
  const program = loyaltyOf(scope).getRulebook().program
  const goods_minor = Math.max(toMinorUnits(cart.item_total, decimals), 0)
  const applied = checkCartPoints(points, account.points_balance, { goods_minor, currency_decimals: decimals }, program)
  await removeLines(scope, cart)
  await createCartCreditLinesWorkflow(scope as any).run({
    input: [{
      cart_id,
      amount: toMajorUnits(applied.amount_minor, decimals),
      reference: POINTS_PAYMENT_REFERENCE,
      reference_id: customer_id,
      metadata: { points, amount_minor: applied.amount_minor, customer_id, cart_id },
    }],
  })
  await refreshPaymentCollectionForCartWorkflow(scope as any).run({ input: { cart_id } })
  return await view(scope, cart_id, customer_id)
}

/** Takes the points off the member's cart (nothing was debited: nothing to give back). */
export async function removeCartPoints(scope: Resolver, input: { cart_id: string; customer_id: string }): Promise<CartPointsView> {
  const cart = await memberCart(scope, input.cart_id, input.customer_id)
  await removeLines(scope, cart)
  await refreshPaymentCollectionForCartWorkflow(scope as any).run({ input: { cart_id: input.cart_id } })
  return await view(scope, input.cart_id, input.customer_id)
}

async function removeLines(scope: Resolver, cart: PointsCart): Promise<void> {
  for (const line of pointsLines(cart)) await deleteCartCreditLinesWorkflow(scope as any).run({ input: { id: [line.id] } })
}

/** A debit this completion wrote: what its compensation gives back. */
export type CartPointsDebit = { customer_id: string; cart_id: string; idempotency_key: string; points: number } | null

/** The entries of a cart's points (its debits and give-backs all carry the cart as source). */
async function cartEntries(scope: Resolver, cart_id: string) {
  const entries = await loyaltyOf(scope).listLoyaltyLedgerEntries({ source_id: cart_id }, { select: ["idempotency_key", "points"] })
  return entries.filter((e: { idempotency_key: string }) => isCartPointsKey(cart_id, e.idempotency_key)) as Array<{ idempotency_key: string; points: number }>
}

/**
 * The completion's debit (validate hook): the core's plan from the cart now and the cart's earlier entries, then
 * the debit decided under the member's account lock from the balance now. A refusal is a 400 `not_allowed` with the
 * core's code (INSUFFICIENT_POINTS, REDEMPTION_NOT_YOURS, INVALID_INPUT); the shopper can remove the points and
 * complete without them. Medusa's lock on the cart id serializes completions of one cart, which the plan relies on.
 */
export async function guardCartPoints(scope: Resolver, cart: PointsCart): Promise<CartPointsDebit> {
  const line = pointsLines(cart)[0]
  if (!line) return null
  const decimals = currencyDecimals(cart.currency_code)
  const meta = line.metadata ?? {}
  const completion: CartPointsCompletion = {
    cart_id: cart.id,
    customer_id: cart.customer_id ?? null,
    applied: { customer_id: String(meta.customer_id ?? ""), points: Number(meta.points), amount_minor: toMinorUnits(line.amount, decimals), currency_code: cart.currency_code },
    goods_minor: Math.max(toMinorUnits(cart.item_total, decimals), 0),
    prior: await cartEntries(scope, cart.id),
  }
  try {
    const loyalty = loyaltyOf(scope)
    const plan = cartPointsDebitPlan(completion, loyalty.getRulebook().program)
    if (plan.action === "already_debited") return null
    const posted = await loyalty.postUnderLock(completion.applied.customer_id, plan.idempotency_key, ({ account }) =>
      cartPointsDebitDraft(completion, plan.idempotency_key, account.points_balance)
    )
    return { customer_id: completion.applied.customer_id, cart_id: cart.id, idempotency_key: plan.idempotency_key, points: posted.entry!.points }
  } catch (e) {
    if (isLoyaltyError(e)) throw new MedusaError(MedusaError.Types.NOT_ALLOWED, e.message, e.code)
    throw e
  }
}

/** The guard's compensation: the completion failed after the debit, so the points come back (once). */
export async function releaseCartPoints(scope: Resolver, debit: CartPointsDebit | undefined): Promise<void> {
  if (!debit) return
  await loyaltyOf(scope).post(cartPointsReleaseDraft(debit))
}

/** The points credit line of an order (copied from its cart), with the cart and the member it names. */
async function paidOrder(scope: Resolver, order_id: string) {
  const { data } = await queryOf(scope).graph({ entity: "order", fields: ["id", "currency_code", "credit_lines.*", "payment_collections.amount"], filters: { id: order_id } })
  const order = data[0]
  const line = (order?.credit_lines ?? []).find((l: CreditLine | null) => l?.reference === POINTS_PAYMENT_REFERENCE) as CreditLine | undefined
  const { cart_id, customer_id } = line?.metadata ?? {}
  if (typeof cart_id !== "string" || typeof customer_id !== "string") return null
  const decimals = currencyDecimals(order.currency_code)
  const paid_total_minor = (order.payment_collections ?? []).reduce((sum: number, pc: { amount?: unknown } | null) => sum + toMinorUnits(pc?.amount, decimals), 0)
  return { order_id, cart_id, customer_id, paid_total_minor }
}

/**
 * A give-back decided under the member's account lock from the cart's entries then (a cancel and a refund handled
 * at the same moment cannot both give back the same points); its key written once.
 */
async function giveBackUnderLock(scope: Resolver, paid: { order_id: string; cart_id: string; customer_id: string }, key: string, decide: (p: PaidPoints) => EntryDraft | null): Promise<number> {
  const posted = await loyaltyOf(scope).postUnderLock(paid.customer_id, key, async ({ accountEntries }) => {
    const entries = (await accountEntries()).filter((e) => isCartPointsKey(paid.cart_id, e.idempotency_key))
    return decide({ ...paid, ...paidPointsOf(paid.cart_id, entries) })
  })
  return posted.replayed || !posted.entry ? 0 : posted.entry.points
}

/** order.canceled → the points the order was paid with come back (what refunds gave back already excepted). */
export async function giveBackCanceledOrderPoints(scope: Resolver, order_id: string): Promise<number> {
  const paid = await paidOrder(scope, order_id)
  if (!paid) return 0
  return await giveBackUnderLock(scope, paid, CartPointsKeys.cancel(paid.cart_id), pointsPaymentCancelDraft)
}

/**
 * payment.refunded → each refund of the order not handled yet gives back its share of the points: the points follow
 * the money paid (the order's payment collections), cumulatively in the order of the refunds.
 */
export async function giveBackRefundedOrderPoints(scope: Resolver, order_id: string): Promise<number> {
  const paid = await paidOrder(scope, order_id)
  if (!paid) return 0
  let given = 0
  let refunded_before_minor = 0
  for (const refund of await refundsOfOrder(scope, order_id)) {
    const facts = { refund_id: refund.id, paid_total_minor: paid.paid_total_minor, refunded_before_minor, refund_minor: refund.amount_minor }
    given += await giveBackUnderLock(scope, paid, CartPointsKeys.refund(paid.cart_id, refund.id), (p) => pointsPaymentRefundDraft(p, facts))
    refunded_before_minor += refund.amount_minor
  }
  return given
}
