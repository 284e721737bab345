import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { loyaltyOf, route } from "../../../../lib/http"

/** GET /store/loyalty/tiers (public, publishable key) → the tier ladder by rank. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const tiers = loyaltyOf(req).getRulebook().tiers?.tiers ?? []
  res.json({ tiers: tiers.map((t) => ({ code: t.code, name: t.name, rank: t.rank, threshold: t.threshold?.value ?? null })) })
})
