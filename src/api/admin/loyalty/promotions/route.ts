import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyPromotionService from "../../../../services/loyalty-promotion"
import { route } from "../../../_shared/handler"
import { IsoDateTime } from "../../../_shared/response-schemas"
import type { RouteDocs } from "../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../_shared/validate"

/** GET /admin/loyalty/promotions → { promotions }: tracked promotions with discount and group ids, status, member counts. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const promotions = await req.scope.resolve<LoyaltyPromotionService>("loyaltyPromotionService").listTracked()
  res.json({ promotions })
})

/** LoyaltyPromotionService.listTracked: `pending` until a region can hold the discount. */
const TrackedPromotion = z.strictObject({
  code: z.string(),
  status: z.enum(["active", "disabled", "pending"]),
  discount_id: z.string().nullable(),
  customer_group_id: z.string(),
  member_count: z.number().int(),
  definition_hash: z.string(),
  rulebook_version: z.string(),
  disabled_at: IsoDateTime.nullable(),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
})

export const openapi: RouteDocs = {
  GET: {
    summary: "Tracked member promotions with their discount, group, status and member count",
    query: NoQuery,
    response: z.strictObject({ promotions: z.array(TrackedPromotion) }),
  },
}
