/** Request input of the store's earn previews (both adapters' routes). */
import { z } from "zod"

/** GET /store/carts/:id/loyalty/preview and GET /store/products/:id/loyalty/preview: the path's id. */
export const PreviewParams = z.object({ id: z.string().min(1).max(200) }).strict()

/** GET /store/products/:id/loyalty/preview: the region whose currency and prices the variants are previewed in. */
export const ProductPreviewQuery = z
  .object({ region_id: z.string().min(1).max(200).meta({ description: "the storefront's region: its currency and the variants' prices in it" }) })
  .strict()
