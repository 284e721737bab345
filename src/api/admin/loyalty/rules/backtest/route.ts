import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyRulesAdminService from "../../../../../services/loyalty-rules-admin"
import { route } from "../../../../_shared/handler"
import { rulesBacktestDocs } from "../../../../../domain/http/contracts/rules"
import { RULES_VALIDATE_BODY_LIMIT_BYTES } from "../../../../_shared/input-guard"
import { NoQuery, parseInput } from "../../../../_shared/validate"
import { backtestBodies, backtestBodyForm } from "../../../../../domain/http/reports"

// `files` as rules/validate takes them ([{ name, content }]), or as a map { "<name>.json": parsed JSON or text }: the
// core's schemas, shared with the v2 adapter, bound to this adapter's body-parser limit.
const Bodies = backtestBodies(RULES_VALIDATE_BODY_LIMIT_BYTES)

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
  const body = parseInput(Bodies[backtestBodyForm(req.body)], req.body, "body")
  const admin = req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService")
  const outcome = await admin.backtest(body.files, { since: body.since, limit: body.limit_orders }, new Date())
  if (!outcome.ok) {
    res.status(400).json({ type: "invalid_data", code: "RULES_INVALID", message: outcome.message, issues: outcome.issues })
    return
  }
  res.json(outcome.report)
})

export const openapi = rulesBacktestDocs(Bodies)
