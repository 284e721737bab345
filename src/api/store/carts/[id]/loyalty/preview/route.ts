import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import { PreviewParams } from "../../../../../../domain/http/preview-input"
import type LoyaltyPreviewService from "../../../../../../services/loyalty-preview"
import { route } from "../../../../../_shared/handler"
import { CartEarnPreview } from "../../../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../../_shared/validate"

/**
 * GET /store/carts/:id/loyalty/preview → what the cart will earn once placed (the core's earnPreview: the accrual's
 * own evaluation, at the time of the request), pending or not, and the cart customer's tier after the order.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { id } = parseInput(PreviewParams, req.params, "params")
  res.json({ preview: await req.scope.resolve<LoyaltyPreviewService>("loyaltyPreviewService").cart(id, new Date()) })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "What a cart will earn once placed (nothing is written)",
    description: "Computed by the same evaluation the order's accrual runs, with the cart's totals, its customer's earlier orders, account and tier, and the time of the request (campaign windows in the program's time zone). A guest cart is previewed as a new member's first order (`member: false`).",
    params: PreviewParams,
    query: NoQuery,
    response: z.strictObject({ preview: CartEarnPreview }),
    errors: [Refusals.notFound("no cart has this id"), Refusals.rulesUnavailable],
  },
}
