import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { describeRules } from "../../../../core/domain/http/rules-admin"
import { loyaltyOf, route } from "../../../../lib/http"

/**
 * GET /admin/loyalty/rules → { rules: { version, loaded_at, rules_dir, files, last_reload_error } } (the core's
 * describeRules, docs/api.md).
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ rules: describeRules(loyaltyOf(req).rulesState()) })
})
