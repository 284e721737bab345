import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../core/domain/request-input"
import { loyaltyOf, route } from "../../../../lib/http"

/** GET /admin/loyalty/verify → the integrity report (the core's checks); 200 with ok: false and the problems on drift. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(await loyaltyOf(req).verifyLedger())
})
