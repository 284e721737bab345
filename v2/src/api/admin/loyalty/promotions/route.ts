import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { route } from "../../../../lib/http"
import { trackedPromotionsWithMembers } from "../../../../workflows/promotions/groups"
import { IsoDateTime } from "../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../core/domain/http/route-docs"

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

// v2's own shape: a v2 promotion (null until reconciled) instead of v1's discount.
const TrackedPromotion = z.strictObject({
  code: z.string(),
  status: z.enum(["active", "disabled", "pending"]),
  promotion_id: z.string().nullable(),
  customer_group_id: z.string(),
  member_count: z.number().int().min(0).meta({ description: "Customers in the promotion's customer group: the members whose cart takes its code." }),
  definition_hash: z.string(),
  rulebook_version: z.string(),
  disabled_at: IsoDateTime.nullable(),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
})

export const openapi: RouteDocs = {
  GET: {
    summary: "Tracked member promotions with their v2 promotion, group, member count and status",
    query: NoQuery,
    response: z.strictObject({ promotions: z.array(TrackedPromotion) }),
  },
}
