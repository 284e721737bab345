import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { route } from "../../../../lib/http"
import { verifyLoyalty } from "../../../../workflows/ledger/verify"
import { VerifyReport } from "../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../core/domain/http/route-docs"

/** GET /admin/loyalty/verify → the integrity report (the core's checks); 200 with ok: false and the problems on drift. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(await verifyLoyalty(req.scope))
})

export const openapi: RouteDocs = {
  GET: { summary: "Ledger integrity report (200 with ok: false and the problems when drift is found)", query: NoQuery, response: VerifyReport },
}
