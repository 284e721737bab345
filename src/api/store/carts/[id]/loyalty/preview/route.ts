import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { PreviewParams } from "../../../../../../domain/http/preview-input"
import type LoyaltyPreviewService from "../../../../../../services/loyalty-preview"
import { route } from "../../../../../_shared/handler"
import { cartPreviewDocs } from "../../../../../../domain/http/contracts/preview"
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

export const openapi = cartPreviewDocs
