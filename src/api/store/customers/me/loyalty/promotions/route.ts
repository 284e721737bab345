import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyPromotionService from "../../../../../../services/loyalty-promotion"
import { route } from "../../../../../_shared/handler"
import { currentCustomerId, memberAccount } from "../../../../../_shared/members"
import { memberPromotionsDocs } from "../../../../../../domain/http/contracts/promotions"
import { NoQuery, parseInput } from "../../../../../_shared/validate"

/** GET /store/customers/me/loyalty/promotions → { promotions }: the member codes the logged-in customer can use now. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const account = await memberAccount(req, currentCustomerId(req))
  const promotions = await req.scope.resolve<LoyaltyPromotionService>("loyaltyPromotionService").listForCustomer(account.customer_id)
  res.json({ promotions })
})

export const openapi = memberPromotionsDocs
