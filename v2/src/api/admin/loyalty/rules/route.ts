import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { describeRules } from "../../../../core/domain/http/rules-admin"
import { loyaltyOf, route } from "../../../../lib/http"
import { RulesView } from "../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../core/domain/http/route-docs"

/**
 * GET /admin/loyalty/rules → { rules: { version, loaded_at, rules_dir, files, last_reload_error } } (the core's
 * describeRules, docs/api.md).
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ rules: describeRules(loyaltyOf(req).rulesState()) })
})

export const openapi: RouteDocs = {
  GET: { summary: "The live rulebook: version, files, last reload error", query: NoQuery, response: z.strictObject({ rules: RulesView }) },
}
