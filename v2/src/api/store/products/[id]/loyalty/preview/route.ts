import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { parseInput } from "../../../../../../core/domain/http/request-input"
import { PreviewParams, ProductPreviewQuery } from "../../../../../../core/domain/http/preview-input"
import { productPreviewDocs } from "../../../../../../core/domain/http/contracts/preview"
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

export const openapi = productPreviewDocs("its price in the region's currency")
