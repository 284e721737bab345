import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { backtestBodies, backtestBodyForm } from "../../../../../core/domain/http/reports"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { backtestCandidate } from "../../../../../workflows/rules/backtest"
import { rulesBacktestDocs } from "../../../../../core/domain/http/contracts/rules"

/** The files' contents at most: the rules/validate route's limit, so a candidate one accepts the other does too. */
const RULE_FILES_LIMIT_BYTES = 1_000_000
const Bodies = backtestBodies(RULE_FILES_LIMIT_BYTES)

/**
 * POST /admin/loyalty/rules/backtest { files, since?, limit_orders? } → the CLI backtest's report (docs/api.md) for
 * candidate files (`[{ name, content }]` or a map of name → JSON or text) against the store's newest `limit_orders`
 * (default 1000, at most 5000) accruals since `since`. Writes nothing. An invalid candidate → 400 RULES_INVALID with
 * the issues located as rules/validate gives them.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const body = parseInput(Bodies[backtestBodyForm(req.body)], req.body, "body")
  const outcome = await backtestCandidate(req.scope, body.files, { since: body.since, limit: body.limit_orders }, new Date())
  if (!outcome.ok) {
    res.status(400).json({ type: "invalid_data", code: "RULES_INVALID", message: outcome.message, issues: outcome.issues })
    return
  }
  res.json(outcome.report)
})

export const openapi = rulesBacktestDocs(Bodies)
