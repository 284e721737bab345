import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { PreviewParams } from "../../../../../../core/domain/http/preview-input"
import { cartPreviewDocs } from "../../../../../../core/domain/http/contracts/preview"
import { route } from "../../../../../../lib/http"
import { cartEarnPreview } from "../../../../../../workflows/earn-preview/preview"

/**
 * GET /store/carts/:id/loyalty/preview → what the cart will earn once placed (the core's earnPreview: the accrual's
 * own evaluation, at the time of the request), pending or not, and the cart customer's tier after the order.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { id } = parseInput(PreviewParams, req.params, "params")
  res.json({ preview: await cartEarnPreview(req.scope, id, new Date()) })
})

export const openapi = cartPreviewDocs
