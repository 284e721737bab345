import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyRulesAdminService from "../../../../services/loyalty-rules-admin"
import { route } from "../../../_shared/handler"
import { RulesView } from "../../../_shared/response-schemas"
import type { RouteDocs } from "../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../_shared/validate"

/** GET /admin/loyalty/rules → { rules: { version, loaded_at, rules_dir, files, last_reload_error } }. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ rules: req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService").describe() })
})

export const openapi: RouteDocs = {
  GET: { summary: "The live rulebook: version, files, last reload error", query: NoQuery, response: z.strictObject({ rules: RulesView }) },
}
