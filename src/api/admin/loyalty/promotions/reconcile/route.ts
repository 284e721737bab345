import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyPromotionService from "../../../../../services/loyalty-promotion"
import { route } from "../../../../_shared/handler"
import { PromotionReconcile } from "../../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"

const Body = z.object({}).strict()

/**
 * POST /admin/loyalty/promotions/reconcile → { created, updated, disabled, unchanged, conflicts, pending, failed,
 * rulebook_version }: makes the store's member discounts and groups match the live promotions files. Idempotent.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  const result = await req.scope.resolve<LoyaltyPromotionService>("loyaltyPromotionService").reconcile()
  res.json(result)
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Make the store's member discounts and groups match the live promotions files (idempotent)",
    query: NoQuery,
    body: Body,
    response: PromotionReconcile,
    errors: [Refusals.rulesUnavailable],
  },
}
