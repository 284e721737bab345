import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { route } from "../../../../../../lib/http"
import { settleUsedRedemptionsWorkflow } from "../../../../../../workflows/redemption/workflows"
import type { RouteDocs } from "../../../../../../core/domain/http/route-docs"

const Body = z.object({}).strict()

/** POST /admin/loyalty/jobs/redemptions/settle → reconcile: codes used by existing orders are settled, crashed checkouts' claims released (idempotent). */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  const { result } = await settleUsedRedemptionsWorkflow(req.scope).run({ input: {} })
  res.json({ redemptions_settled: result.settled, orders_examined: result.examined, claims_released: result.released, failed: result.failed })
})

const SettleCounts = z.strictObject({
  redemptions_settled: z.number().int(),
  orders_examined: z.number().int(),
  claims_released: z.number().int().meta({ description: "crashed checkouts' claims released: the code is usable again" }),
  failed: z.number().int(),
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Settle codes used by orders whose order.placed was lost, release crashed checkouts' claims (idempotent)",
    query: NoQuery,
    body: Body,
    response: SettleCounts,
  },
}
