import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyPromotionService from "../../../../../../services/loyalty-promotion"
import { route } from "../../../../../_shared/handler"
import { currentCustomerId, memberAccount } from "../../../../../_shared/members"
import { CustomerPromotion } from "../../../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../../_shared/validate"

/** GET /store/customers/me/loyalty/promotions → { promotions }: the member codes the logged-in customer can use now. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const account = await memberAccount(req, currentCustomerId(req))
  const promotions = await req.scope.resolve<LoyaltyPromotionService>("loyaltyPromotionService").listForCustomer(account.customer_id)
  res.json({ promotions })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "The member promotion codes I can use now",
    query: NoQuery,
    response: z.strictObject({ promotions: z.array(CustomerPromotion) }),
    errors: [Refusals.rulesUnavailable],
  },
}
