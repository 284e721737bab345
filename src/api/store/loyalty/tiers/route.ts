import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyRulesService from "../../../../services/loyalty-rules"
import { route } from "../../../_shared/handler"
import { PublicTier } from "../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../_shared/validate"

/** GET /store/loyalty/tiers (public) → the tier ladder by rank: `{ tiers: [{ code, name, rank, threshold }] }`. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const tiers = req.scope.resolve<LoyaltyRulesService>("loyaltyRulesService").getRulebook().tiers?.tiers ?? []
  res.json({ tiers: tiers.map((t) => ({ code: t.code, name: t.name, rank: t.rank, threshold: t.threshold?.value ?? null })) })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "The tier ladder by rank (public, no login)",
    query: NoQuery,
    response: z.strictObject({ tiers: z.array(PublicTier) }),
    errors: [Refusals.rulesUnavailable],
  },
}
