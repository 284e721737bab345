import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyRulesService from "../../../../../services/loyalty-rules"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { route } from "../../../../_shared/handler"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/**
 * GET /admin/loyalty/rules/files → { version, files: [{ name, content }] }: the text of the LIVE rulebook's files (what
 * the store runs, not what is on disk now), so an editor starts from it. `version` is null and `files` empty when no
 * rulebook is live.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const state = req.scope.resolve<LoyaltyRulesService>("loyaltyRulesService").state()
  const version = state.rulebook?.version ?? null
  res.json({ version, files: version ? state.sources.map((s) => ({ name: s.name, content: s.text })) : [] })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "The live rulebook's files, as text (the starting point of a candidate to validate or backtest)",
    query: NoQuery,
    response: z.strictObject({
      version: z.string().nullable(),
      files: z.array(z.strictObject({ name: z.string(), content: z.string() })),
    }),
  },
}
