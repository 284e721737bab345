import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyRulesAdminService from "../../../../services/loyalty-rules-admin"
import { route } from "../../../_shared/handler"
import { RULES_VALIDATE_BODY_LIMIT_BYTES } from "../../../_shared/input-guard"
import { simulationCandidate } from "../../../../domain/http/reports"
import { simulateDocs } from "../../../../domain/http/contracts/rules"
import { Refusals } from "../../../_shared/route-docs"
import { NoQuery, parseInput, SimulateByFacts as ByFacts, SimulateByOrder as ByOrder, SimulateByAction as ByAction } from "../../../_shared/validate"

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

export const openapi = simulateDocs(
  Refusals.notFound("no order with that order_id (Medusa's own not_found, without a code), or no customer with that customer_id")
)
