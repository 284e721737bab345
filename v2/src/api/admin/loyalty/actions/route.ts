import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ActionBody, ActionListQuery, NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { serializeAction, serializeEntry } from "../../../../core/domain/http/views"
import { adminUserId, loyaltyOf, route } from "../../../../lib/http"
import { reportAction } from "../../../../workflows/actions/report"
import { actionsDocs } from "../../../../core/domain/http/contracts/ledger"

/**
 * POST /admin/loyalty/actions { customer_id, type, reference, occurred_at?, properties? } → { action, entry, replayed }:
 * the merchant's backend reports a custom action; type + reference earns once, ever (a replay answers the first
 * outcome with 200, other data for the same type + reference is a 422 IDEMPOTENCY_CONFLICT).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const body = parseInput(ActionBody, req.body, "body")
  const outcome = await reportAction(req.scope, { ...body, actor_id: adminUserId(req) })
  res.status(outcome.replayed ? 200 : 201).json({ action: serializeAction(outcome.action), entry: outcome.entry ? serializeEntry(outcome.entry) : null, replayed: outcome.replayed })
})

/** GET /admin/loyalty/actions?customer_id&type&limit&offset → recorded actions, newest first, with their decisions. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const { customer_id, type, ...page } = parseInput(ActionListQuery, req.query, "query")
  const [actions, count] = await loyaltyOf(req).pageActions({ customer_id, type }, page)
  res.json({ actions: actions.map(serializeAction), count, ...page })
})

export const openapi = actionsDocs
