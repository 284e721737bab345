import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { AdjustmentBody, IdempotencyHeaders, idempotencyKeyOf, NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { serializeAccount, serializeEntry } from "../../../../../../core/domain/http/views"
import { adminUserId, liveTiers, route } from "../../../../../../lib/http"
import { postMemberAdjustment } from "../../../../../../workflows/members/member-account"
import { Account, Entry } from "../../../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../../core/domain/http/route-docs"

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

export const openapi: RouteDocs = {
  POST: {
    summary: "Adjust a member's points (signed, with a reason); idempotent by Idempotency-Key",
    description: "A debit may take the balance below zero only when the program allows negative balances. The entry's `actor_id` is the admin user.",
    query: NoQuery,
    headers: IdempotencyHeaders,
    body: AdjustmentBody,
    response: z.strictObject({ entry: Entry, loyalty_account: Account }),
    errors: [
      Refusals.insufficientPoints("a debit below zero when the program refuses negative balances"),
      Refusals.notFound("no such customer"),
      Refusals.idempotencyConflict,
      Refusals.rulesUnavailable,
    ],
  },
}
