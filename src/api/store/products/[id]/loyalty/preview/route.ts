import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import { PreviewParams, ProductPreviewQuery } from "../../../../../../domain/http/preview-input"
import type LoyaltyPreviewService from "../../../../../../services/loyalty-preview"
import { route } from "../../../../../_shared/handler"
import { ProductEarnPreview } from "../../../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../_shared/route-docs"
import { parseInput } from "../../../../../_shared/validate"

/**
 * GET /store/products/:id/loyalty/preview?region_id= → points for one unit of each variant, for the logged-in member
 * or, without one, what a new member would earn (a storefront's "sign in to earn").
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const { region_id } = parseInput(ProductPreviewQuery, req.query, "query")
  const { id } = parseInput(PreviewParams, req.params, "params")
  const customer_id = (req.user as { customer_id?: string } | undefined)?.customer_id || null
  res.json({ preview: await req.scope.resolve<LoyaltyPreviewService>("loyaltyPreviewService").product(id, region_id, customer_id, new Date()) })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "Points per variant of a product, for the member or a guest (nothing is written)",
    description: "One unit of each variant at its price in the region (Medusa's price selection), evaluated as an order of it alone would be (no discount, shipping or tax), for the logged-in customer when there is one, else for a new member (`member: false`; their first order's bonus included).",
    auth: "public",
    params: PreviewParams,
    query: ProductPreviewQuery,
    response: z.strictObject({ preview: ProductEarnPreview }),
    errors: [Refusals.notFound("no product or no region has this id"), Refusals.rulesUnavailable],
  },
}
