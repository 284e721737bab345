import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyRulesAdminService from "../../../../../services/loyalty-rules-admin"
import { route } from "../../../../_shared/handler"
import { RulesInvalidBody, RulesReloaded } from "../../../../_shared/response-schemas"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"

const Body = z.object({}).strict()

/**
 * POST /admin/loyalty/rules/reload → { rules, promotions }: re-reads the rules directory, makes a valid rulebook live
 * (stored by version) and reconciles promotions. Invalid → 400 { type, code: "RULES_INVALID", message, issues } and
 * the previous rulebook stays live. Answered directly: Medusa's error handler would drop `issues`.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  const outcome = await req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService").reload()
  if (!outcome.ok) {
    res.status(400).json({ type: "invalid_data", code: "RULES_INVALID", message: outcome.message, issues: outcome.issues })
    return
  }
  res.json({ rules: outcome.rules, promotions: outcome.promotions })
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Re-read the rules directory and make a valid rulebook live; promotions are reconciled",
    description: "A reconcile failure is logged and answered as `promotions: { error }`: the rulebook is live anyway.",
    query: NoQuery,
    body: Body,
    response: RulesReloaded,
    errors: [{ status: 400, code: "RULES_INVALID", when: "the files are invalid; the previous rulebook stays live", body: RulesInvalidBody }],
  },
}
