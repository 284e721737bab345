import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyRulesAdminService from "../../../../services/loyalty-rules-admin"
import { route } from "../../../_shared/handler"
import type { RouteDocs } from "../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../_shared/validate"
import { SettingsResponse } from "../../../../domain/http/reports"

/**
 * GET /admin/loyalty/settings → { plugin_options: { rules_dir, auto_enroll, watch_rules }, program, rulebook_version,
 * docs }: the plugin options as parsed (no secrets among them), the live program settings and rulebook version
 * (null when no rulebook is live), and the package's docs by name as paths relative to the package root. Read-only.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService").settings())
})

export const openapi: RouteDocs = {
  GET: { summary: "Plugin options, live program settings and rulebook version, documentation files", query: NoQuery, response: SettingsResponse },
}
