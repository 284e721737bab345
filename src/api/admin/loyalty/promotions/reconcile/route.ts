import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyPromotionService from "../../../../../services/loyalty-promotion"
import { route } from "../../../../_shared/handler"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/**
 * POST /admin/loyalty/promotions/reconcile → { created, updated, disabled, unchanged, conflicts, pending, failed,
 * rulebook_version }: makes the store's member discounts and groups match the live promotions files. Idempotent.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(z.object({}).strict(), req.body, "body")
  const result = await req.scope.resolve<LoyaltyPromotionService>("loyaltyPromotionService").reconcile()
  res.json(result)
})
