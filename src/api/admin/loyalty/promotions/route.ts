import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyPromotionService from "../../../../services/loyalty-promotion"
import { route } from "../../../_shared/handler"
import { trackedPromotionsDocs } from "../../../../domain/http/contracts/promotions"
import { NoQuery, parseInput } from "../../../_shared/validate"

/** GET /admin/loyalty/promotions → { promotions }: tracked promotions with discount and group ids, status, member counts. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const promotions = await req.scope.resolve<LoyaltyPromotionService>("loyaltyPromotionService").listTracked()
  res.json({ promotions })
})

export const openapi = trackedPromotionsDocs({ link: { field: "discount_id", noun: "discount" } })
