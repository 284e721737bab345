import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { PromotionDef } from "../../../../../../core/domain/program/promotions"
import { NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { currentCustomerId, route } from "../../../../../../lib/http"
import { usableMemberPromotions } from "../../../../../../workflows/promotions/member-promotions"
import { memberPromotionsDocs } from "../../../../../../core/domain/http/contracts/promotions"

/**
 * GET /store/customers/me/loyalty/promotions → { promotions }: the member promotion codes the logged-in customer can
 * use now (the public shape, docs/api.md): eligible by their member facts (the core's eligiblePromotions), reconciled
 * into an active v2 promotion. v2 silently ignores a code the cart's customer may not use, so a storefront shows
 * these codes and checks the cart after applying one (see the README: "Telling a shopper why a code did not apply").
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const promotions = await usableMemberPromotions(req.scope, currentCustomerId(req))
  res.json({ promotions: promotions.map(serializeMemberPromotion) })
})

function serializeMemberPromotion(def: PromotionDef) {
  return {
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
  }
}

export const openapi = memberPromotionsDocs
