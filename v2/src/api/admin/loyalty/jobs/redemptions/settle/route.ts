import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { route } from "../../../../../../lib/http"
import { settleUsedRedemptionsWorkflow } from "../../../../../../workflows/redemption/workflows"

const Body = z.object({}).strict()

/** POST /admin/loyalty/jobs/redemptions/settle → reconcile: codes used by existing orders are settled, crashed checkouts' claims released (idempotent). */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  const { result } = await settleUsedRedemptionsWorkflow(req.scope).run({ input: {} })
  res.json({ redemptions_settled: result.settled, orders_examined: result.examined, claims_released: result.released, failed: result.failed })
})
