import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { Modules } from "@medusajs/framework/utils"
import { eligiblePromotions } from "../../../../../../core/domain/program/promotions"
import { NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { currentCustomerId, loyaltyOf, memberAccount, route } from "../../../../../../lib/http"
import { memberFactsOf } from "../../../../../../workflows/members/member-facts"

/**
 * GET /store/customers/me/loyalty/promotions → { promotions }: the member promotion codes the logged-in customer can
 * use now (the public shape, docs/api.md): eligible by their member facts (the core's eligiblePromotions), reconciled
 * into an active v2 promotion. v2 silently ignores a code the cart's customer may not use, so a storefront shows
 * these codes and checks the cart after applying one (see the README: "Telling a shopper why a code did not apply").
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const loyalty = loyaltyOf(req)
  const account = await memberAccount(req, currentCustomerId(req))
  const book = loyalty.getRulebook()
  const eligible = eligiblePromotions(book, await memberFactsOf(req.scope, account))
  const tracked = new Map((await loyalty.trackedPromotions()).map((r) => [r.code, r]))
  const usable = eligible.filter((def) => {
    const row = tracked.get(def.code)
    return row && row.disabled_at === null && row.promotion_id
  })
  const ids = usable.map((def) => tracked.get(def.code)!.promotion_id!)
  const active = new Set(
    ids.length
      ? (await req.scope.resolve<any>(Modules.PROMOTION).listPromotions({ id: ids, status: "active" }, { select: ["id"] })).map((p: { id: string }) => p.id)
      : []
  )
  const promotions = usable
    .filter((def) => active.has(tracked.get(def.code)!.promotion_id!))
    .map((def) => ({
      code: def.code,
      name: def.name,
      description: def.description ?? null,
      discount: {
        type: def.discount.type,
        value: def.discount.value,
        allocation: def.discount.allocation ?? "total",
        ...(def.discount.type === "fixed" ? { currency_code: def.discount.currency_code } : {}),
      },
      starts_at: def.discount.starts_at ?? null,
      ends_at: def.discount.ends_at ?? null,
    }))
  res.json({ promotions })
})
