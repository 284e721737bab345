import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyRulesAdminService from "../../../../services/loyalty-rules-admin"
import { route } from "../../../_shared/handler"
import { NoQuery, parseInput } from "../../../_shared/validate"

/** GET /admin/loyalty/rules → { rules: { version, loaded_at, rules_dir, files, last_reload_error } }. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ rules: req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService").describe() })
})
