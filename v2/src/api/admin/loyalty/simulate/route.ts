import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { Refusals } from "../../../../core/domain/http/route-docs"
import { simulateDocs } from "../../../../core/domain/http/contracts/rules"
import { simulationCandidate } from "../../../../core/domain/http/reports"
import { RULE_FILES_BODY_LIMIT_BYTES } from "../../../../core/domain/http/rule-files-input"
import { route } from "../../../../lib/http"
import { simulateAccrual } from "../../../../workflows/order-points/simulation"

/**
 * POST /admin/loyalty/simulate { order_id, files? } | { order, customer?, member?, files? } | { action, member?,
 * customer_id?, files? } (an earning action) → the verdict of the live rulebook, or of the candidate `files` (as rules/backtest takes them) when given; writes nothing. An invalid
 * candidate → 400 { type, code: "RULES_INVALID", message, issues } (each issue's file and JSON pointer).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { files, ...body } = (req.body ?? {}) as Record<string, unknown>
  const candidate = simulationCandidate(files, RULE_FILES_BODY_LIMIT_BYTES)
  if (candidate && !candidate.ok) {
    res.status(400).json(candidate.refusal)
    return
  }
  res.json(await simulateAccrual(req.scope, body, candidate?.rulebook))
})

export const openapi = simulateDocs(
  Refusals.notFound("no order with that order_id, the order has no customer, or no customer with that customer_id")
)
