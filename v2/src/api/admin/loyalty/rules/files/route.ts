import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { liveRuleFiles } from "../../../../../workflows/rules/settings"

/**
 * GET /admin/loyalty/rules/files → { version, files: [{ name, content }] } (docs/api.md): the text of the LIVE
 * rulebook's files, so an editor starts from what the store runs; `version` null and no files when none is live.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(liveRuleFiles(req.scope))
})
