import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput, SimulateByAction, SimulateByFacts, SimulateByOrder } from "../../../../core/domain/http/request-input"
import { AccrualSimulation, ActionSimulation, RulesInvalidBody } from "../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../core/domain/http/route-docs"
import { simulationCandidate } from "../../../../core/domain/http/reports"
import { RULE_FILES_BODY_LIMIT_BYTES, RuleFilesList, RuleFilesMap } from "../../../../core/domain/http/rule-files-input"
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

// The candidate `files` the rules/backtest route takes (the list or the map form), next to either form of the body.
const CandidateFiles = {
  files: z.union([RuleFilesList, RuleFilesMap]).optional()
    .meta({ description: "candidate rule files (as rules/backtest takes them) to evaluate instead of the live rulebook; nothing is applied" }),
}

export const openapi: RouteDocs = {
  POST: {
    summary: "Simulate an accrual (a stored order, or facts) or an earning action (`action`) with the live rulebook or candidate `files`; writes nothing",
    query: NoQuery,
    // The workflow picks one by the presence of `action`, then of `order_id`.
    body: z.union([SimulateByOrder.extend(CandidateFiles), SimulateByFacts.extend(CandidateFiles), SimulateByAction.extend(CandidateFiles)]),
    response: z.union([AccrualSimulation, ActionSimulation]),
    errors: [
      Refusals.notFound("no order with that order_id, the order has no customer, or no customer with that customer_id"),
      Refusals.rulesUnavailable,
      { status: 400, code: "RULES_INVALID", when: "the candidate files are invalid (issues located by file and JSON pointer); nothing was evaluated", body: RulesInvalidBody },
    ],
  },
}
