import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { ActionBody, ActionListQuery } from "../../../../domain/http/request-input"
import type LoyaltyActionService from "../../../../services/loyalty-action"
import { route } from "../../../_shared/handler"
import { adminUserId } from "../../../_shared/members"
import { serializeAction, serializeEntry } from "../../../_shared/serialize"
import { actionsDocs } from "../../../../domain/http/contracts/ledger"
import { NoQuery, parseInput } from "../../../_shared/validate"

/**
 * POST /admin/loyalty/actions { customer_id, type, reference, occurred_at?, properties? } → { action, entry, replayed }:
 * the merchant's backend reports an action; the same type + reference earns once, ever (a replay answers the first
 * outcome with 200, other data for the same type + reference is a 422).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const body = parseInput(ActionBody, req.body, "body")
  const outcome = await req.scope.resolve<LoyaltyActionService>("loyaltyActionService").report({ ...body, actor_id: adminUserId(req) })
  res.status(outcome.replayed ? 200 : 201).json({ action: serializeAction(outcome.action), entry: outcome.entry ? serializeEntry(outcome.entry) : null, replayed: outcome.replayed })
})

/** GET /admin/loyalty/actions?customer_id&type&limit&offset → recorded actions, newest first, with their decisions. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const { customer_id, type, ...page } = parseInput(ActionListQuery, req.query, "query")
  const [actions, count] = await req.scope.resolve<LoyaltyActionService>("loyaltyActionService").list({ customer_id, type }, page)
  res.json({ actions: actions.map(serializeAction), count, ...page })
})

export const openapi = actionsDocs
