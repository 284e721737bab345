/**
 * The OpenAPI contracts of earn previews (store/carts/:id/loyalty/preview, store/products/:id/loyalty/preview), one
 * text for both majors: each major's route file exports `openapi` built from these.
 */
import { z } from "zod"
import { PreviewParams, ProductPreviewQuery } from "../preview-input"
import { NoQuery } from "../request-input"
import { CartEarnPreview, ProductEarnPreview } from "../response-schemas"
import { Refusals, type RouteDocs } from "../route-docs"

/** GET /store/carts/:id/loyalty/preview. */
export const cartPreviewDocs: RouteDocs = {
  GET: {
    summary: "What a cart will earn once placed (nothing is written)",
    description: "Computed by the same evaluation the order's accrual runs, with the cart's totals, its customer's earlier orders, account and tier, and the time of the request (campaign windows in the program's time zone). A guest cart is previewed as a new member's first order (`member: false`).",
    params: PreviewParams,
    query: NoQuery,
    response: z.strictObject({ preview: CartEarnPreview }),
    errors: [Refusals.notFound("no cart has this id"), Refusals.rulesUnavailable],
  },
}

/**
 * GET /store/products/:id/loyalty/preview. `price` is the variant price this Medusa picks (v1: its price selection
 * in the region; v2: the price in the region's currency).
 */
export function productPreviewDocs(price: string): RouteDocs {
  return {
    GET: {
      summary: "Points per variant of a product, for the member or a guest (nothing is written)",
      description: `One unit of each variant at ${price}, evaluated as an order of it alone would be (no discount, shipping or tax), for the logged-in customer when there is one, else for a new member (\`member: false\`; their first order's bonus included).`,
      auth: "public",
      params: PreviewParams,
      query: ProductPreviewQuery,
      response: z.strictObject({ preview: ProductEarnPreview }),
      errors: [Refusals.notFound("no product or no region has this id"), Refusals.rulesUnavailable],
    },
  }
}
