import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { loyaltyOf, route } from "../../../../lib/http"
import { PublicTier } from "../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../core/domain/http/route-docs"

/** GET /store/loyalty/tiers (public, publishable key) → the tier ladder by rank. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const tiers = loyaltyOf(req).getRulebook().tiers?.tiers ?? []
  res.json({ tiers: tiers.map((t) => ({ code: t.code, name: t.name, rank: t.rank, threshold: t.threshold?.value ?? null })) })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "The tier ladder by rank (public: a publishable API key, no login)",
    query: NoQuery,
    response: z.strictObject({ tiers: z.array(PublicTier) }),
    errors: [Refusals.rulesUnavailable],
  },
}
