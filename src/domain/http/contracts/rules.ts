/**
 * The OpenAPI contracts of the admin's rule tools (rules/validate, rules/backtest, simulate, entries/:id/explain), one
 * text for both majors: each major's route file exports `openapi` built from these, so an error or a schema cannot be
 * documented on one major only. A major passes only what is truly its own (its body-size limit, a refusal's wording).
 */
import { z } from "zod"
import { backtestBodies, BacktestResponse } from "../reports"
import { NoQuery, SimulateByAction, SimulateByFacts, SimulateByOrder } from "../request-input"
import { AccrualSimulation, ActionSimulation, EntryExplanation, RulesInvalidBody, RulesValidation } from "../response-schemas"
import { Refusals, type ErrorDocs, type RouteDocs } from "../route-docs"
import { RuleFilesList, RuleFilesMap, rulesValidateBody } from "../rule-files-input"

/** POST /admin/loyalty/rules/validate, with the body the route parses (bound to its adapter's limit). */
export function rulesValidateDocs(body: ReturnType<typeof rulesValidateBody>): RouteDocs {
  return {
    POST: {
      summary: "Dry-run: compile rule files as one rulebook; nothing is applied",
      description: "200 even when the files are invalid (`valid: false` with the located issues); 400 only for a malformed body.",
      query: NoQuery,
      body,
      response: RulesValidation,
    },
  }
}

/** POST /admin/loyalty/rules/backtest, with the two body forms the route parses (bound to its adapter's limit). */
export function rulesBacktestDocs(bodies: ReturnType<typeof backtestBodies>): RouteDocs {
  return {
    POST: {
      summary: "Backtest candidate rule files against the store's past accruals and recorded actions (writes nothing)",
      description: "`files` as POST /admin/loyalty/rules/validate takes them, or as a map of file name to parsed JSON or text.",
      query: NoQuery,
      body: z.union([bodies.list, bodies.map]),
      response: BacktestResponse,
      errors: [{ status: 400, code: "RULES_INVALID", when: "the candidate files are invalid (issues located as rules/validate gives them)", body: RulesInvalidBody }],
    },
  }
}

/** Every simulate form takes the candidate `files` the rules/backtest route takes (the list or the map form). */
const CandidateFiles = {
  files: z.union([RuleFilesList, RuleFilesMap]).optional()
    .meta({ description: "candidate rule files (as rules/backtest takes them) to evaluate instead of the live rulebook; nothing is applied" }),
}

/**
 * POST /admin/loyalty/simulate. `notFound` says which lookups answer 404 on this major (v1's order lookup is Medusa's
 * own, without a code; v2's workflow also resolves the order's customer).
 */
export function simulateDocs(notFound: ErrorDocs): RouteDocs {
  return {
    POST: {
      summary: "Simulate an accrual (a stored order, or facts) or an earning action (`action`) with the live rulebook or candidate `files`; writes nothing",
      query: NoQuery,
      // The route picks one by the presence of `action`, then of `order_id`.
      body: z.union([SimulateByOrder.extend(CandidateFiles), SimulateByFacts.extend(CandidateFiles), SimulateByAction.extend(CandidateFiles)]),
      response: z.union([AccrualSimulation, ActionSimulation]),
      errors: [
        notFound,
        Refusals.rulesUnavailable,
        { status: 400, code: "RULES_INVALID", when: "the candidate files are invalid (issues located by file and JSON pointer); nothing was evaluated", body: RulesInvalidBody },
      ],
    },
  }
}

/** GET /admin/loyalty/entries/:id/explain. */
export const entryExplainDocs: RouteDocs = {
  GET: {
    summary: "Explain a ledger entry: the facts it saw and the rulebook version that produced it",
    query: NoQuery,
    response: EntryExplanation,
    errors: [Refusals.notFound("no such ledger entry")],
  },
}
