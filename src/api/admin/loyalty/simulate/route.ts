import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import { ActionInput, MemberInput } from "../../../../domain/reports/simulation"
import type LoyaltyRulesAdminService from "../../../../services/loyalty-rules-admin"
import { route } from "../../../_shared/handler"
import { RULES_VALIDATE_BODY_LIMIT_BYTES } from "../../../_shared/input-guard"
import { simulationCandidate } from "../../../../domain/http/reports"
import { AccrualSimulation, ActionSimulation, RulesInvalidBody } from "../../../_shared/response-schemas"
import { RuleFilesList, RuleFilesMap } from "../../../_shared/rule-files"
import { Refusals, type RouteDocs } from "../../../_shared/route-docs"
import { NoQuery, parseInput, SimulateByFacts as ByFacts, SimulateByOrder as ByOrder } from "../../../_shared/validate"

const ByAction = z
  .object({
    action: ActionInput.meta({ description: "the earning action: type, reference, occurred_at, properties, earlier_awards (for limits)" }),
    member: MemberInput.optional().meta({ description: "the member's facts (missing ones defaulted)" }),
    customer_id: z.string().min(1).max(100).optional().meta({ description: "a stored member: their facts now and their recorded awards replace member and earlier_awards" }),
  })
  .strict()

/**
 * POST /admin/loyalty/simulate { action, member?, customer_id?, files? } → { points, rule_names, contributions, refused,
 * … }: an earning action's verdict.
 * POST /admin/loyalty/simulate { order_id, files? } | { order, customer?, member?, files? } → { points, amount_points,
 * bonus_points, rule_names, contributions, rulebook_version, tier?, promotions?, … }: the verdict of the live
 * rulebook, or of the candidate `files` (as rules/backtest takes them) when given; writes nothing. An invalid
 * candidate → 400 { type, code: "RULES_INVALID", message, issues } (each issue's file and JSON pointer).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { files, ...raw } = (req.body ?? {}) as Record<string, unknown>
  const candidate = simulationCandidate(files, RULES_VALIDATE_BODY_LIMIT_BYTES)
  if (candidate && !candidate.ok) {
    res.status(400).json(candidate.refusal)
    return
  }
  const service = req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService")
  if ("action" in raw) {
    res.json(await service.simulateAction(parseInput(ByAction, raw, "body"), candidate?.rulebook))
    return
  }
  const input = "order_id" in raw ? parseInput(ByOrder, raw, "body") : parseInput(ByFacts, raw, "body")
  res.json(await service.simulate(input, candidate?.rulebook))
})

// Every form takes the candidate `files` the rules/backtest route takes (the list or the map form).
const CandidateFiles = {
  files: z.union([RuleFilesList, RuleFilesMap]).optional()
    .meta({ description: "candidate rule files (as rules/backtest takes them) to evaluate instead of the live rulebook; nothing is applied" }),
}

export const openapi: RouteDocs = {
  POST: {
    summary: "Simulate an accrual (a stored order, or facts) or an earning action (`action`) with the live rulebook or candidate `files`; writes nothing",
    query: NoQuery,
    // The handler picks one by the presence of `order_id`.
    body: z.union([ByOrder.extend(CandidateFiles), ByFacts.extend(CandidateFiles), ByAction.extend(CandidateFiles)]),
    response: z.union([AccrualSimulation, ActionSimulation]),
    errors: [
      Refusals.notFound("no order with that order_id (Medusa's own not_found, without a code)"),
      Refusals.rulesUnavailable,
      { status: 400, code: "RULES_INVALID", when: "the candidate files are invalid (issues located by file and JSON pointer); nothing was evaluated", body: RulesInvalidBody },
    ],
  },
}
