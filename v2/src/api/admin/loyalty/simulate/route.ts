import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { route } from "../../../../lib/http"
import { simulateAccrual } from "../../../../workflows/order-points/simulation"

/** POST /admin/loyalty/simulate { order_id } | { order, customer?, member? } → the live rulebook's verdict; writes nothing. */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(await simulateAccrual(req.scope, (req.body ?? {}) as Record<string, unknown>))
})
