/**
 * Settlement: order.placed settles the codes the order used (settleRedemptionsForOrder); `settleUsedRedemptions`
 * does the same for orders whose event was lost (reconcile) and releases the claims of crashed checkouts.
 */
import { loyaltyOf, promotionsOf, queryOf, type Resolver } from "../../lib/container"
import type { RedemptionRow, RedemptionUseRow } from "../../modules/loyalty/types"
import { promotionRefsOf, redemptionsFor } from "./checkout"
import { ordersWithPromotions } from "./order-promotions"

/** The promotion refs of an order (v2: adjustments on the order's items and shipping methods), null without the order. */
async function orderPromotionRefs(scope: Resolver, order_id: string): Promise<{ promotion_ids: string[]; codes: string[] } | null> {
  const { data } = await queryOf(scope).graph({
    entity: "order",
    fields: ["id", "items.adjustments.code", "items.adjustments.promotion_id", "shipping_methods.adjustments.code", "shipping_methods.adjustments.promotion_id"],
    filters: { id: order_id },
  })
  return data[0] ? promotionRefsOf({ id: order_id, ...data[0] }) : null
}

/** The cart the order was placed from (the order_cart link), null when there is none. */
async function orderCartId(scope: Resolver, order_id: string): Promise<string | null> {
  try {
    const { data: links } = await queryOf(scope).graph({ entity: "order_cart", fields: ["cart_id", "order_id"], filters: { order_id } })
    return links[0]?.cart_id ?? null
  } catch {
    return null
  }
}

/**
 * order.placed: every reserved redemption whose code the order used becomes settled (order_id, settled_at) and its
 * use row records the order. Idempotent: only reserved rows change. Returns the redemptions settled by this call.
 * An order without a loyalty code costs one read of its promotions (and one of the redemptions when it has a
 * promotion), nothing more: the subscriber calls this directly rather than through a one-step workflow, whose
 * engine bookkeeping cost more than the reads, inside the checkout's response window.
 */
export async function settleRedemptionsForOrder(scope: Resolver, order_id: string, now: Date = new Date()): Promise<RedemptionRow[]> {
  const refs = await orderPromotionRefs(scope, order_id)
  const redemptions = refs ? await redemptionsFor(scope, refs) : []
  if (!redemptions.length) return []
  const cart_id = await orderCartId(scope, order_id)
  const settled: RedemptionRow[] = []
  for (const r of redemptions) {
    const row = await loyaltyOf(scope).settleRedemption(r.id, order_id, cart_id, now)
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
  const counts: SettleCounts = { examined: 0, settled: 0, released: 0, failed: 0 }
  const reserved = await loyalty.findRedemptions({ status: "reserved" })
  if (!reserved.length) return counts
  const uses = await loyalty.findRedemptionUses({ redemption_ids: reserved.map((r) => r.id) })
  // 1. Codes a checkout claimed: the order of that cart, if one was created.
  const claimed = await ordersOfClaimedCarts(scope, uses)
  counts.released = await releaseStaleClaims(scope, uses, claimed.carts_with_orders, now)
  const orders = new Set<string>([...claimed.order_ids, ...uses.flatMap((u) => (u.order_id ? [u.order_id] : []))])
  // 2. Codes without a use row that v2 counted as used: the orders whose adjustments carry the promotion.
  for (const order_id of await ordersOfUnclaimedUsedCodes(scope, reserved, uses)) orders.add(order_id)
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

/** The orders created from the carts that claimed a code (a use row written at the checkout, not by a settlement). */
async function ordersOfClaimedCarts(scope: Resolver, uses: RedemptionUseRow[]): Promise<{ order_ids: string[]; carts_with_orders: Set<string> }> {
  const carts = uses.filter((u) => !u.cart_id.startsWith("order:")).map((u) => u.cart_id)
  const order_ids: string[] = []
  const carts_with_orders = new Set<string>()
  if (!carts.length) return { order_ids, carts_with_orders }
  const { data } = await queryOf(scope).graph({ entity: "order_cart", fields: ["cart_id", "order_id"], filters: { cart_id: carts } })
  for (const link of data) {
    if (!link.order_id) continue
    order_ids.push(link.order_id)
    carts_with_orders.add(link.cart_id)
  }
  return { order_ids, carts_with_orders }
}

/** Claims of checkouts that crashed before their order (no order for the cart, older than STALE_CLAIM_MS) are released. */
async function releaseStaleClaims(scope: Resolver, uses: RedemptionUseRow[], carts_with_orders: Set<string>, now: Date): Promise<number> {
  let released = 0
  for (const u of uses) {
    if (u.order_id || u.cart_id.startsWith("order:") || carts_with_orders.has(u.cart_id)) continue
    if (now.getTime() - new Date(u.created_at).getTime() < STALE_CLAIM_MS) continue
    await loyaltyOf(scope).releaseRedemptionClaims(u.cart_id, [u.code])
    released++
  }
  return released
}

/** Reserved codes without a use row that v2 counted as used: the orders whose adjustments carry their promotion. */
async function ordersOfUnclaimedUsedCodes(scope: Resolver, reserved: RedemptionRow[], uses: RedemptionUseRow[]): Promise<string[]> {
  const claimed = new Set(uses.map((u) => u.redemption_id))
  const unclaimed = reserved.filter((r) => !claimed.has(r.id) && r.promotion_id)
  if (!unclaimed.length) return []
  const promotions = await promotionsOf(scope).listPromotions({ id: unclaimed.map((r) => r.promotion_id) }, { select: ["id", "used"] })
  const used = promotions.filter((p: { used?: number }) => Number(p.used ?? 0) > 0).map((p: { id: string }) => p.id)
  return await ordersWithPromotions(scope, used)
}
