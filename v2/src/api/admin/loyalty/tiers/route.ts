import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { loyaltyOf, route } from "../../../../lib/http"
import { tierGroupIds } from "../../../../workflows/tiers/groups"

/**
 * GET /admin/loyalty/tiers → the ladder by rank with each tier's customer group (null until the first member reaches
 * it) and its number of members, the public shape (docs/api.md): `{ tiers: [{ code, name, rank, threshold,
 * customer_group_id, member_count }] }`.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const loyalty = loyaltyOf(req)
  const tiers = loyalty.getRulebook().tiers?.tiers ?? []
  const [counts, groups] = await Promise.all([loyalty.membersPerTier(), tierGroupIds(req.scope, tiers)])
  res.json({
    tiers: tiers.map((t) => ({
      code: t.code,
      name: t.name,
      rank: t.rank,
      threshold: t.threshold?.value ?? null,
      customer_group_id: groups.get(t.customer_group) ?? null,
      member_count: counts.get(t.code) ?? 0,
    })),
  })
})
