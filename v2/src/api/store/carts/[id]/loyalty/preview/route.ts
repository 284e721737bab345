import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { PreviewParams } from "../../../../../../core/domain/http/preview-input"
import { CartEarnPreview } from "../../../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../../core/domain/http/route-docs"
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
