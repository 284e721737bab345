import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyRulesService from "../../../../../services/loyalty-rules"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { route } from "../../../../_shared/handler"
import { NoQuery, parseInput } from "../../../../_shared/validate"
import { liveRuleFilesView, RuleFilesResponse } from "../../../../../domain/http/reports"

/**
 * GET /admin/loyalty/rules/files → { version, files: [{ name, content }] }: the text of the LIVE rulebook's files (what
 * the store runs, not what is on disk now), so an editor starts from it. `version` is null and `files` empty when no
 * rulebook is live.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(liveRuleFilesView(req.scope.resolve<LoyaltyRulesService>("loyaltyRulesService").state()))
})

export const openapi: RouteDocs = {
  GET: {
    summary: "The live rulebook's files, as text (the starting point of a candidate to validate or backtest)",
    query: NoQuery,
    response: RuleFilesResponse,
  },
}
