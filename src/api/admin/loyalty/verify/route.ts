import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyVerifyService from "../../../../services/loyalty-verify"
import { route } from "../../../_shared/handler"
import { VerifyReport } from "../../../_shared/response-schemas"
import type { RouteDocs } from "../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../_shared/validate"

/** GET /admin/loyalty/verify → the integrity report; 200 with `ok: false` and the problems when drift is found. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const verify: LoyaltyVerifyService = req.scope.resolve("loyaltyVerifyService")
  res.json(await verify.verify())
})

export const openapi: RouteDocs = {
  GET: { summary: "Ledger integrity report (200 with ok: false and the problems when drift is found)", query: NoQuery, response: VerifyReport },
}
