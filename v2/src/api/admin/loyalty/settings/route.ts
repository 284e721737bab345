import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { route } from "../../../../lib/http"
import { loyaltySettings } from "../../../../workflows/rules/settings"
import { SettingsResponse } from "../../../../core/domain/http/reports"
import type { RouteDocs } from "../../../../core/domain/http/route-docs"

/**
 * GET /admin/loyalty/settings → { plugin_options: { rules_dir, auto_enroll, watch_rules }, program, rulebook_version,
 * docs } (docs/api.md): the options as parsed, the live program settings and rulebook version (null when none is
 * live) and the package's docs by name. Read-only.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(loyaltySettings(req.scope))
})

export const openapi: RouteDocs = {
  GET: { summary: "Plugin options, live program settings and rulebook version, documentation files", query: NoQuery, response: SettingsResponse },
}
