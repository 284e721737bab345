import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { parseInput } from "../../../../../../core/domain/http/request-input"
import { PreviewParams, ProductPreviewQuery } from "../../../../../../core/domain/http/preview-input"
import { ProductEarnPreview } from "../../../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../../core/domain/http/route-docs"
import { route } from "../../../../../../lib/http"
import { productPreview } from "../../../../../../workflows/earn-preview/preview"

/**
 * GET /store/products/:id/loyalty/preview?region_id= → points for one unit of each variant, for the logged-in member
 * or, without one, what a new member would earn (a storefront's "sign in to earn").
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const { region_id } = parseInput(ProductPreviewQuery, req.query, "query")
  const { id } = parseInput(PreviewParams, req.params, "params")
  const customer_id = (req as unknown as { auth_context?: { actor_id?: string } }).auth_context?.actor_id || null
  res.json({ preview: await productPreview(req.scope, id, region_id, customer_id, new Date()) })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "Points per variant of a product, for the member or a guest (nothing is written)",
    description: "One unit of each variant at its price in the region's currency, evaluated as an order of it alone would be (no discount, shipping or tax), for the logged-in customer when there is one, else for a new member (`member: false`; their first order's bonus included).",
    auth: "public",
    params: PreviewParams,
    query: ProductPreviewQuery,
    response: z.strictObject({ preview: ProductEarnPreview }),
    errors: [Refusals.notFound("no product or no region has this id"), Refusals.rulesUnavailable],
  },
}
