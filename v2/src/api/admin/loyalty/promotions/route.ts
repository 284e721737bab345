import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { route } from "../../../../lib/http"
import { trackedPromotionsWithMembers } from "../../../../workflows/promotions/groups"
import { trackedPromotionsDocs } from "../../../../core/domain/http/contracts/promotions"

/**
 * GET /admin/loyalty/promotions → the member promotions this plugin created, with their v2 promotion, group and the
 * number of customers in that group.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const rows = await trackedPromotionsWithMembers(req.scope)
  res.json({
    promotions: rows.map((r) => ({
      code: r.code,
      status: r.disabled_at ? "disabled" : r.promotion_id ? "active" : "pending",
      promotion_id: r.promotion_id,
      customer_group_id: r.customer_group_id,
      member_count: r.member_count,
      definition_hash: r.definition_hash,
      rulebook_version: r.rulebook_version,
      disabled_at: r.disabled_at,
      created_at: r.created_at,
      updated_at: r.updated_at,
    })),
  })
})

export const openapi = trackedPromotionsDocs({ link: { field: "promotion_id", noun: "v2 promotion" } })
