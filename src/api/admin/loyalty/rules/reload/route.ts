import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyRulesAdminService from "../../../../../services/loyalty-rules-admin"
import { route } from "../../../../_shared/handler"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/**
 * POST /admin/loyalty/rules/reload → { rules, promotions }: re-reads the rules directory, makes a valid rulebook live
 * (stored by version) and reconciles promotions. Invalid → 400 { type, code: "RULES_INVALID", message, issues } and
 * the previous rulebook stays live. Answered directly: Medusa's error handler would drop `issues`.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(z.object({}).strict(), req.body, "body")
  const outcome = await req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService").reload()
  if (!outcome.ok) {
    res.status(400).json({ type: "invalid_data", code: "RULES_INVALID", message: outcome.message, issues: outcome.issues })
    return
  }
  res.json({ rules: outcome.rules, promotions: outcome.promotions })
})
