import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { describeRules, reloadRefusal } from "../../../../../core/domain/http/rules-admin"
import { route } from "../../../../../lib/http"
import { reloadRulebook } from "../../../../../workflows/rules/reload"
import { RulesInvalidBody, RulesReloaded } from "../../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../../core/domain/http/route-docs"

const Body = z.object({}).strict()

/**
 * POST /admin/loyalty/rules/reload → { rules, promotions }: re-reads the rules directory and makes a valid rulebook
 * live (stored by version). Invalid → 400 { type, code: "RULES_INVALID", message, issues } and the previous rulebook
 * stays live (docs/api.md). `promotions`: the member promotions reconcile (POST /admin/loyalty/promotions/reconcile).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  const reload = await reloadRulebook(req.scope)
  if (reload.refused) {
    const issues = describeRules(reload.state).last_reload_error!.issues
    res.status(400).json({ type: "invalid_data", code: "RULES_INVALID", message: reloadRefusal(reload.state), issues })
    return
  }
  res.json({ rules: describeRules(reload.state), promotions: reload.promotions })
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Reload the rules directory; a valid rulebook becomes live and member promotions are reconciled",
    description: "A reconcile failure is answered as `promotions: { error }`: the rulebook is live anyway.",
    query: NoQuery,
    body: Body,
    response: RulesReloaded,
    errors: [{ status: 400, code: "RULES_INVALID", when: "the files are invalid; the previous rulebook stays live", body: RulesInvalidBody }],
  },
}
