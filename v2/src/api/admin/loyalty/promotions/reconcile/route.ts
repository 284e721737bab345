import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { reconcilePromotions } from "../../../../../workflows/promotions/reconcile"
import { PromotionReconcile } from "../../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../core/domain/http/route-docs"

const Body = z.object({}).strict()

/**
 * POST /admin/loyalty/promotions/reconcile → { created, updated, disabled, unchanged, conflicts, pending, failed,
 * rulebook_version } (the core's PromotionReconcileResult, docs/api.md): makes the store's member promotions and
 * their customer groups match the live promotions files. Idempotent; never touches a promotion the plugin did not
 * create.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  res.json(await reconcilePromotions(req.scope))
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Make the store's member promotions and groups match the live promotions files (idempotent)",
    query: NoQuery,
    body: Body,
    response: PromotionReconcile,
    errors: [Refusals.rulesUnavailable],
  },
}
