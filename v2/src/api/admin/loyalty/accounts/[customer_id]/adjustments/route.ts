import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { AdjustmentBody, idempotencyKeyOf, NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { serializeAccount, serializeEntry } from "../../../../../../core/domain/http/views"
import { adminUserId, liveTiers, route } from "../../../../../../lib/http"
import { postMemberAdjustment } from "../../../../../../workflows/members/member-account"
import { adjustmentsDocs } from "../../../../../../core/domain/http/contracts/ledger"

/**
 * POST /admin/loyalty/accounts/:customer_id/adjustments { points, reason } + Idempotency-Key → { entry, loyalty_account }.
 * Same key and payload → the first entry again; same key, other payload → 422.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const key = idempotencyKeyOf(req)
  const body = parseInput(AdjustmentBody, req.body, "body")
  const result = await postMemberAdjustment(req.scope, {
    customer_id: req.params.customer_id, points: body.points, reason: body.reason, key, actor_id: adminUserId(req),
  })
  res.json({ entry: serializeEntry(result.entry), loyalty_account: serializeAccount(result.account, liveTiers(req)) })
})

export const openapi = adjustmentsDocs
