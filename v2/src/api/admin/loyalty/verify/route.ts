import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { route } from "../../../../lib/http"
import { verifyLoyalty } from "../../../../workflows/ledger/verify"

/** GET /admin/loyalty/verify → the integrity report (the core's checks); 200 with ok: false and the problems on drift. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(await verifyLoyalty(req.scope))
})
