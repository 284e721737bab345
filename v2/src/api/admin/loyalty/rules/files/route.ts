import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { liveRuleFiles } from "../../../../../workflows/rules/settings"
import { RuleFilesResponse } from "../../../../../core/domain/http/reports"
import type { RouteDocs } from "../../../../../core/domain/http/route-docs"

/**
 * GET /admin/loyalty/rules/files → { version, files: [{ name, content }] } (docs/api.md): the text of the LIVE
 * rulebook's files, so an editor starts from what the store runs; `version` null and no files when none is live.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(liveRuleFiles(req.scope))
})

export const openapi: RouteDocs = {
  GET: {
    summary: "The live rulebook's files, as text (the starting point of a candidate to validate or backtest)",
    query: NoQuery,
    response: RuleFilesResponse,
  },
}
