import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { PreviewParams, ProductPreviewQuery } from "../../../../../../domain/http/preview-input"
import type LoyaltyPreviewService from "../../../../../../services/loyalty-preview"
import { route } from "../../../../../_shared/handler"
import { productPreviewDocs } from "../../../../../../domain/http/contracts/preview"
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

export const openapi = productPreviewDocs("its price in the region (Medusa's price selection)")
