import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyRulesAdminService from "../../../../../services/loyalty-rules-admin"
import { route } from "../../../../_shared/handler"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { RuleFilesList, RuleFilesMap, withFilesLimit } from "../../../../_shared/rule-files"
import { IsoDateTime, NoQuery, parseInput } from "../../../../_shared/validate"

const BACKTEST_MAX_ORDERS = 5000
const Window = { since: IsoDateTime.optional(), limit_orders: z.number().int().min(1).max(BACKTEST_MAX_ORDERS).default(1000) }
// `files` as rules/validate takes them ([{ name, content }]), or as a map { "<name>.json": parsed JSON or text }.
const ListBody = withFilesLimit(z.object({ files: RuleFilesList, ...Window }).strict())
const MapBody = withFilesLimit(z.object({ files: RuleFilesMap, ...Window }).strict())

const Int = z.number().int()
const Tier = z.string().nullable()
const Response = z.object({
  rulebook_version: z.string(),
  live_rulebook_version: z.string().nullable(),
  window: z.object({ since: z.string().nullable(), limit_orders: Int }),
  orders_evaluated: Int, orders_changed: Int, orders_skipped: Int,
  actions_evaluated: Int, actions_changed: Int, actions_skipped: Int,
  current_points: Int, candidate_points: Int, action_current_points: Int, action_candidate_points: Int, liability_delta_points: Int,
  members_evaluated: Int, members_changing_tier: Int,
  tier_moves: z.array(z.object({ from: Tier, to: Tier, count: Int })),
  members: z.array(z.object({
    customer_id: z.string(), email: z.string().nullable(), orders: Int, actions: Int,
    current_points: Int, candidate_points: Int, delta_points: Int, tier_current: Tier, tier_candidate: Tier,
  })),
  evaluation_ms: z.number(),
})

/**
 * POST /admin/loyalty/rules/backtest { files, since?, limit_orders? } → the CLI backtest's report for candidate files
 * against the store's newest `limit_orders` (default 1000, at most 5000) accruals created since `since`, and as many
 * recorded earning actions that occurred since `since` (re-evaluated in occurred order per member, so the candidate's
 * limits apply): totals (points are orders plus actions; the action_* fields are the actions' share), tier moves and
 * the 10 biggest gainers then the 10 biggest losers. Read-only snapshot; writes nothing. An invalid candidate →
 * 400 { type, code: "RULES_INVALID", message, issues } with issues located as rules/validate gives them.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const raw = (req.body ?? {}) as Record<string, unknown>
  const body = Array.isArray(raw.files) || raw.files === undefined ? parseInput(ListBody, raw, "body") : parseInput(MapBody, raw, "body")
  const admin = req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService")
  const outcome = await admin.backtest(body.files, { since: body.since, limit: body.limit_orders }, new Date())
  if (!outcome.ok) {
    res.status(400).json({ type: "invalid_data", code: "RULES_INVALID", message: outcome.message, issues: outcome.issues })
    return
  }
  res.json(outcome.report)
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Backtest candidate rule files against the store's past accruals and recorded actions (writes nothing)",
    description: "`files` as POST /admin/loyalty/rules/validate takes them, or as a map of file name to parsed JSON or text. Invalid files: 400 RULES_INVALID with located issues.",
    query: NoQuery,
    body: z.union([ListBody, MapBody]),
    response: Response,
  },
}
