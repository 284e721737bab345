/**
 * The checkout guard: single use of a redemption code is enforced by a database constraint. The complete-cart
 * workflow's validate hook (complete-cart-hook.ts) inserts the code's row in loyalty_redemption_use, unique by code,
 * before the order is created; the workflow's compensation deletes it when no order results. v2's own usage counter
 * (`limit: 1`) stays as a second guard.
 */
import { MedusaError } from "@medusajs/framework/utils"
import { isLoyaltyError } from "../../core/domain/shared/errors"
import { loyaltyOf, type Resolver } from "../../lib/container"
import type { RedemptionRow } from "../../modules/loyalty/types"

export type HookCart = {
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
export async function redemptionsFor(scope: Resolver, refs: { promotion_ids: readonly string[]; codes: readonly string[] }): Promise<RedemptionRow[]> {
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
