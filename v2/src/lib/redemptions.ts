/**
 * Redemptions on Medusa v2: points → a personal single-use v2 promotion code (figures: core/domain/ledger/redemption.ts).
 *
 * - The code is a `standard` promotion with `limit: 1` and a `customer.id eq <member>` rule (v2 then applies it only
 *   to the member's carts), a fixed amount off the order in the currency of the region or cart it was redeemed for.
 * - Single use is enforced at the checkout by a database constraint: the complete-cart workflow's validate hook
 *   (workflows/hooks/complete-cart-redemptions.ts) inserts the code's row in loyalty_redemption_use, unique by code,
 *   before the order is created; the workflow's compensation deletes it when no order results. v2's own usage
 *   counter (`limit: 1`) stays as a second guard.
 * - order.placed settles the code (settleRedemptionsForOrder); `settleUsedRedemptions` does the same for orders
 *   whose event was lost (reconcile); `expireRedemptions` gives the points of expired unused codes back.
 */
import { randomBytes } from "crypto"
import { ContainerRegistrationKeys, generateEntityId, MedusaError, Modules } from "@medusajs/framework/utils"
import { canonicalJson, sha256Hex } from "../core/domain/shared/canonical-json"
import { currencyDecimals } from "../core/domain/shared/currency"
import { isLoyaltyError, LoyaltyError, LoyaltyErrorCodes } from "../core/domain/shared/errors"
import { checkRedemption, redemptionAmountMinor, redemptionCode, redemptionExpiresAt, REDEMPTION_CODE_RANDOM_BYTES } from "../core/domain/ledger/redemption"
import { redemptionProblems, type VerifyProblem } from "../core/domain/ledger/verify"
import { LOYALTY_MODULE } from "../modules/loyalty"
import type LoyaltyModuleService from "../modules/loyalty/service"
import type { RedemptionRow } from "../modules/loyalty/types"
import { EntryKeys } from "../core/domain/ledger/entry-keys"

type Resolver = { resolve<T = any>(key: string): T }

export type { RedemptionRow }

/** The rule that makes a code personal (recipe §5: another customer's or a guest's cart does not take it). */
export const CUSTOMER_RULE_ATTRIBUTE = "customer.id"
const CODE_ATTEMPTS = 5

const loyaltyOf = (scope: Resolver) => scope.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
const promotionsOf = (scope: Resolver) => scope.resolve<any>(Modules.PROMOTION)
const queryOf = (scope: Resolver) => scope.resolve<any>(ContainerRegistrationKeys.QUERY)

/** Integer minor units → v2's decimal major units (500 EUR cents → 5). */
export function toMajorUnits(minor: number, decimals: number): number {
  return Number((minor / 10 ** decimals).toFixed(decimals))
}

export type RedeemInput = { customer_id: string; points: number; region_id?: string; cart_id?: string; client_key: string }

/** What the redeem workflow will write, decided before anything is written (or the stored redemption of a replay). */
export type RedemptionPlan =
  | { replay: RedemptionRow }
  | {
      replay: null
      /** The member's Idempotency-Key: the ledger entry's key is the core's EntryKeys.redemption of it. */
      client_key: string
      redemption: {
        id: string
        customer_id: string
        points: number
        amount_minor: number
        currency_code: string
        region_id: string | null
        code: string
        promotion_id: null
        cart_id: string | null
        expires_at: Date
        idempotency_key: string
        payload_hash: string
      }
    }

function invalid(message: string, field: string): LoyaltyError {
  return new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, message, { field })
}

/**
 * Input checks, replay detection and the code's figures, before anything is written. Same client key and request →
 * the stored redemption; same key, another request → IDEMPOTENCY_CONFLICT. The balance checked here is advisory (no
 * promotion is created for a member who cannot pay); the debit checks it again under the lock.
 */
export async function planRedemption(scope: Resolver, input: RedeemInput, now: Date = new Date()): Promise<RedemptionPlan> {
  const { customer_id, points, region_id, cart_id } = input
  if (!region_id === !cart_id) throw invalid("exactly one of region_id or cart_id is required", "region_id")
  const loyalty = loyaltyOf(scope)
  const program = loyalty.getRulebook().program
  checkRedemption(points, Number.MAX_SAFE_INTEGER, program)
  const idempotency_key = EntryKeys.redemption(customer_id, input.client_key)
  const payload_hash = sha256Hex(canonicalJson({ points, region_id: region_id ?? null, cart_id: cart_id ?? null }))
  const [stored] = await loyalty.findRedemptions({ idempotency_key })
  if (stored) {
    if (stored.payload_hash !== payload_hash) {
      throw new LoyaltyError(
        LoyaltyErrorCodes.IDEMPOTENCY_CONFLICT,
        "This Idempotency-Key was already used for a different redemption request; use a new key for a new redemption",
        { idempotency_key: input.client_key }
      )
    }
    return { replay: stored }
  }
  const target = await resolveTarget(scope, customer_id, region_id, cart_id)
  const amount_minor = redemptionAmountMinor(points, program, currencyDecimals(target.currency_code))
  if (amount_minor <= 0) throw invalid(`points ${points} are worth less than one minor unit of ${target.currency_code}`, "points")
  const account = await loyalty.findAccount(customer_id)
  checkRedemption(points, account?.points_balance ?? 0, program)
  return {
    replay: null,
    client_key: input.client_key,
    redemption: {
      id: generateEntityId(undefined, "lred"),
      customer_id,
      points,
      amount_minor,
      currency_code: target.currency_code,
      region_id: target.region_id,
      code: await freshCode(scope),
      promotion_id: null,
      cart_id: cart_id ?? null,
      expires_at: redemptionExpiresAt(now, program),
      idempotency_key,
      payload_hash,
    },
  }
}

/** The region (and currency) the code is for: the given region, or the region of the customer's own open cart. */
async function resolveTarget(scope: Resolver, customer_id: string, region_id?: string, cart_id?: string): Promise<{ region_id: string | null; currency_code: string }> {
  const query = queryOf(scope)
  if (cart_id) {
    const { data } = await query.graph({ entity: "cart", fields: ["id", "customer_id", "region_id", "currency_code", "completed_at"], filters: { id: cart_id } })
    const cart = data[0]
    if (!cart || cart.customer_id !== customer_id) {
      throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Cart ${cart_id} was not found`, { field: "cart_id", cart_id })
    }
    if (cart.completed_at) throw invalid(`cart ${cart_id} is already completed`, "cart_id")
    return { region_id: cart.region_id ?? null, currency_code: cart.currency_code }
  }
  const { data } = await query.graph({ entity: "region", fields: ["id", "currency_code"], filters: { id: region_id } })
  if (!data[0]) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Region ${region_id} was not found`, { field: "region_id", region_id })
  return { region_id: data[0].id, currency_code: data[0].currency_code }
}

/** A code no promotion and no redemption has (40 random bits make a retry rare). */
async function freshCode(scope: Resolver): Promise<string> {
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    const code = redemptionCode(randomBytes(REDEMPTION_CODE_RANDOM_BYTES))
    const [promotions, redemptions] = await Promise.all([
      promotionsOf(scope).listPromotions({ code }, { select: ["id"], withDeleted: true }),
      loyaltyOf(scope).findRedemptions({ code }),
    ])
    if (!promotions.length && !redemptions.length) return code
  }
  throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `no free promotion code after ${CODE_ATTEMPTS} attempts`)
}

/** The v2 promotion of a redemption: single use, the member's only, a fixed amount off the order. Created as a draft. */
export function promotionInput(r: { code: string; customer_id: string; amount_minor: number; currency_code: string }) {
  return {
    code: r.code,
    type: "standard",
    status: "draft",
    is_automatic: false,
    limit: 1,
    application_method: {
      type: "fixed",
      target_type: "order",
      allocation: "across",
      value: toMajorUnits(r.amount_minor, currencyDecimals(r.currency_code)),
      currency_code: r.currency_code,
    },
    rules: [{ attribute: CUSTOMER_RULE_ATTRIBUTE, operator: "eq", values: [r.customer_id] }],
  }
}

/** The public shape of a redemption: the core's (core/domain/http/views.ts), shared with the Medusa 1 plugin. */
export { serializeRedemption } from "../core/domain/http/views"

// ── Checkout: the complete-cart workflow's validate hook ──

type HookCart = {
  id: string
  customer_id?: string | null
  customer?: { id?: string | null } | null
  promotions?: Array<{ id?: string | null } | null> | null
  items?: Array<{ adjustments?: Array<{ code?: string | null; promotion_id?: string | null } | null> | null } | null> | null
  shipping_methods?: Array<{ adjustments?: Array<{ code?: string | null; promotion_id?: string | null } | null> | null } | null> | null
}

/** The promotion ids and codes a cart carries (its promotions and its items' and shipping methods' adjustments). */
export function promotionRefsOf(cart: HookCart): { promotion_ids: string[]; codes: string[] } {
  const ids = new Set<string>()
  const codes = new Set<string>()
  for (const p of cart.promotions ?? []) if (p?.id) ids.add(p.id)
  for (const line of [...(cart.items ?? []), ...(cart.shipping_methods ?? [])]) {
    for (const a of line?.adjustments ?? []) {
      if (a?.promotion_id) ids.add(a.promotion_id)
      if (a?.code) codes.add(a.code)
    }
  }
  return { promotion_ids: [...ids], codes: [...codes] }
}

/** The redemptions whose promotion or code is among `refs`. */
export async function redemptionsFor(scope: Resolver, refs: { promotion_ids: string[]; codes: string[] }): Promise<RedemptionRow[]> {
  if (!refs.promotion_ids.length && !refs.codes.length) return []
  return await loyaltyOf(scope).findRedemptionsByPromotionsOrCodes(refs)
}

/**
 * Claims the cart's redemption codes for this checkout (see modules/loyalty/stores/redemptions.ts claimCodes): a refusal becomes a
 * 400 `not_allowed` with the refusal's `code` (REDEMPTION_ALREADY_USED, REDEMPTION_NOT_YOURS, REDEMPTION_EXPIRED)
 * and a message a storefront can show. Returns the codes claimed by this call (the compensation releases them).
 */
export async function claimCartRedemptions(scope: Resolver, cart: HookCart, now: Date = new Date()): Promise<string[]> {
  const redemptions = await redemptionsFor(scope, promotionRefsOf(cart))
  if (!redemptions.length) return []
  try {
    return await loyaltyOf(scope).claimRedemptions({
      cart_id: cart.id,
      customer_id: cart.customer_id ?? cart.customer?.id ?? null,
      redemptions: redemptions.map((r) => r.id),
      now,
    })
  } catch (e) {
    if (isLoyaltyError(e)) throw new MedusaError(MedusaError.Types.NOT_ALLOWED, e.message, e.code)
    throw e
  }
}

/** What a checkout claimed: the compensation's input. */
export type CartRedemptionClaim = { cart_id: string; codes: string[] }

/**
 * The checkout guard as the plugin's validate hook runs it, for a store that consumes
 * `completeCartWorkflow.hooks.validate` itself (v2 allows one handler per hook): call this from your handler and
 * `releaseCartRedemptions` from its compensation.
 */
export async function guardCartRedemptions(scope: Resolver, cart: HookCart): Promise<CartRedemptionClaim> {
  return { cart_id: cart.id, codes: await claimCartRedemptions(scope, cart) }
}

/** The guard's compensation: the claims of a checkout that ended without an order are released. */
export async function releaseCartRedemptions(scope: Resolver, claim: CartRedemptionClaim | undefined | null): Promise<void> {
  if (!claim?.codes?.length) return
  await loyaltyOf(scope).releaseRedemptionClaims(claim.cart_id, claim.codes)
}

// ── Settlement ──

/** The promotion refs and cart of an order (v2: adjustments on the order's items and shipping methods; order_cart link). */
async function orderRefs(scope: Resolver, order_id: string): Promise<{ refs: { promotion_ids: string[]; codes: string[] }; cart_id: string | null } | null> {
  const query = queryOf(scope)
  const { data } = await query.graph({
    entity: "order",
    fields: ["id", "items.adjustments.code", "items.adjustments.promotion_id", "shipping_methods.adjustments.code", "shipping_methods.adjustments.promotion_id"],
    filters: { id: order_id },
  })
  if (!data[0]) return null
  let cart_id: string | null = null
  try {
    const { data: links } = await query.graph({ entity: "order_cart", fields: ["cart_id", "order_id"], filters: { order_id } })
    cart_id = links[0]?.cart_id ?? null
  } catch {
    cart_id = null
  }
  return { refs: promotionRefsOf({ id: order_id, ...data[0] }), cart_id }
}

/**
 * order.placed: every reserved redemption whose code the order used becomes settled (order_id, settled_at) and its
 * use row records the order. Idempotent: only reserved rows change. Returns the redemptions settled by this call.
 */
export async function settleRedemptionsForOrder(scope: Resolver, order_id: string, now: Date = new Date()): Promise<RedemptionRow[]> {
  const found = await orderRefs(scope, order_id)
  if (!found) return []
  const settled: RedemptionRow[] = []
  for (const r of await redemptionsFor(scope, found.refs)) {
    const row = await loyaltyOf(scope).settleRedemption(r.id, order_id, found.cart_id, now)
    if (row) settled.push(row)
  }
  return settled
}

export type SettleCounts = { examined: number; settled: number; released: number; failed: number }

/**
 * A checkout claim older than this whose cart has no order is a crashed checkout's (the complete-cart workflow holds
 * its cart lock for at most two minutes): reconcile releases it, so the member can use the code again.
 */
export const STALE_CLAIM_MS = 60 * 60 * 1000

/**
 * Reconcile: settles every reserved redemption an existing order used though its order.placed was never handled
 * (lost event, crash): found through its use row (the checkout's cart → its order) or, when even that row is
 * missing, through v2's usage count and the orders' adjustments. Idempotent. Safe to run at any time.
 */
export async function settleUsedRedemptions(scope: Resolver, now: Date = new Date()): Promise<SettleCounts> {
  const loyalty = loyaltyOf(scope)
  const query = queryOf(scope)
  const counts: SettleCounts = { examined: 0, settled: 0, released: 0, failed: 0 }
  const reserved = await loyalty.findRedemptions({ status: "reserved" })
  if (!reserved.length) return counts
  const uses = await loyalty.findRedemptionUses({ redemption_ids: reserved.map((r) => r.id) })
  const orders = new Set<string>()
  // 1. Codes a checkout claimed: the order of that cart, if one was created.
  const carts = uses.filter((u) => !u.cart_id.startsWith("order:")).map((u) => u.cart_id)
  const cartsWithOrders = new Set<string>()
  if (carts.length) {
    const { data } = await query.graph({ entity: "order_cart", fields: ["cart_id", "order_id"], filters: { cart_id: carts } })
    for (const link of data) {
      if (!link.order_id) continue
      orders.add(link.order_id)
      cartsWithOrders.add(link.cart_id)
    }
  }
  // Claims of checkouts that crashed before their order (no order for the cart, older than STALE_CLAIM_MS): released.
  for (const u of uses) {
    if (u.order_id || u.cart_id.startsWith("order:") || cartsWithOrders.has(u.cart_id)) continue
    if (now.getTime() - new Date(u.created_at).getTime() < STALE_CLAIM_MS) continue
    await loyalty.releaseRedemptionClaims(u.cart_id, [u.code])
    counts.released++
  }
  for (const u of uses) if (u.order_id) orders.add(u.order_id)
  // 2. Codes without a use row that v2 counted as used: the orders whose adjustments carry the promotion.
  const claimed = new Set(uses.map((u) => u.redemption_id))
  const unclaimed = reserved.filter((r) => !claimed.has(r.id) && r.promotion_id)
  if (unclaimed.length) {
    const promotions = await promotionsOf(scope).listPromotions({ id: unclaimed.map((r) => r.promotion_id) }, { select: ["id", "used"] })
    const used = promotions.filter((p: { used?: number }) => Number(p.used ?? 0) > 0).map((p: { id: string }) => p.id)
    for (const order_id of await ordersWithPromotions(scope, used)) orders.add(order_id)
  }
  for (const order_id of orders) {
    counts.examined++
    try {
      counts.settled += (await settleRedemptionsForOrder(scope, order_id, now)).length
    } catch {
      counts.failed++
    }
  }
  return counts
}

/** The ids of orders with an item or shipping adjustment of one of `promotion_ids` (v2's order adjustment tables). */
async function ordersWithPromotions(scope: Resolver, promotion_ids: string[]): Promise<string[]> {
  return [...new Set((await orderPromotionPairs(scope, promotion_ids)).map((p) => p.order_id))]
}

/**
 * (promotion, order) pairs of the existing orders whose items or shipping methods carry an adjustment of one of
 * `promotion_ids`. Read-only SQL over v2's order tables (as the CLI's v2 readers): Query cannot filter orders by
 * an adjustment's promotion.
 */
async function orderPromotionPairs(scope: Resolver, promotion_ids: string[]): Promise<Array<{ promotion_id: string; order_id: string }>> {
  if (!promotion_ids.length) return []
  const knex = scope.resolve<any>(ContainerRegistrationKeys.PG_CONNECTION)
  const { rows } = await knex.raw(
    `SELECT DISTINCT a.promotion_id, oi.order_id FROM order_line_item_adjustment a
       JOIN order_item oi ON oi.item_id = a.item_id AND oi.deleted_at IS NULL
       JOIN "order" o ON o.id = oi.order_id AND o.deleted_at IS NULL
      WHERE a.promotion_id = ANY(?) AND a.deleted_at IS NULL
     UNION
     SELECT DISTINCT a.promotion_id, os.order_id FROM order_shipping_method_adjustment a
       JOIN order_shipping os ON os.shipping_method_id = a.shipping_method_id AND os.deleted_at IS NULL
       JOIN "order" o ON o.id = os.order_id AND o.deleted_at IS NULL
      WHERE a.promotion_id = ANY(?) AND a.deleted_at IS NULL`,
    [promotion_ids, promotion_ids]
  )
  return rows
}

/**
 * Verify's redemption checks (the core's redemptionProblems): a code an order used must be settled by exactly one
 * order — reserved → redemption_unsettled (reconcile settles it), voided → redemption_voided_used, more than one
 * order → redemption_reused.
 */
export async function redemptionVerifyProblems(scope: Resolver): Promise<VerifyProblem[]> {
  const all = await loyaltyOf(scope).findRedemptions({ has_promotion: true })
  if (!all.length) return []
  const orders = new Map<string, string[]>()
  for (const { promotion_id, order_id } of await orderPromotionPairs(scope, all.map((r) => r.promotion_id!))) {
    orders.set(promotion_id, [...(orders.get(promotion_id) ?? []), order_id].sort())
  }
  return redemptionProblems(
    all
      .filter((r) => orders.has(r.promotion_id!))
      .map((r) => ({ redemption_id: r.id, customer_id: r.customer_id, status: r.status, order_ids: orders.get(r.promotion_id!)! }))
  )
}

// ── Expiry ──

export type ExpireCounts = { examined: number; voided: number; settled: number; skipped: number; failed: number }

/**
 * The expiry sweep (for the scheduled job and POST /admin/loyalty/jobs/redemptions/expire): every reserved code past
 * expires_at that no order used gets its points back (`redemption_void`, key `redemption_void:{id}`: exactly once,
 * whatever the reruns), becomes voided and its v2 promotion inactive; a code an order used is settled instead.
 * One transaction per redemption, so one failure does not block the others.
 */
export async function expireRedemptions(scope: Resolver, now: Date = new Date()): Promise<ExpireCounts> {
  const loyalty = loyaltyOf(scope)
  const candidates = await loyalty.findRedemptions({ status: "reserved", expires_at_or_before: now })
  const counts: ExpireCounts = { examined: candidates.length, voided: 0, settled: 0, skipped: 0, failed: 0 }
  for (const candidate of candidates) {
    try {
      const { outcome, redemption } = await loyalty.voidExpiredRedemption(candidate.id, now)
      counts[outcome]++
      if (outcome === "voided" && redemption?.promotion_id) {
        await promotionsOf(scope).updatePromotions({ id: redemption.promotion_id, status: "inactive" })
      }
    } catch {
      counts.failed++
    }
  }
  // Codes voided earlier whose promotion is still active (a crash between the void and the update): switched off.
  const voided = await loyalty.findRedemptions({ status: "voided", has_promotion: true })
  if (voided.length) {
    const active = await promotionsOf(scope).listPromotions({ id: voided.map((r) => r.promotion_id), status: "active" }, { select: ["id"] })
    for (const p of active) await promotionsOf(scope).updatePromotions({ id: p.id, status: "inactive" })
  }
  return counts
}
