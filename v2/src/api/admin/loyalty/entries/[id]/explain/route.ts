import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { route } from "../../../../../../lib/http"
import { explainLedgerEntry } from "../../../../../../workflows/ledger/explain"
import { EntryExplanation } from "../../../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../../core/domain/http/route-docs"

/** GET /admin/loyalty/entries/:id/explain → { entry, rulebook: { version, files } | null, facts, rules_fired }. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(await explainLedgerEntry(req.scope, req.params.id))
})

export const openapi: RouteDocs = {
  GET: {
    summary: "Explain a ledger entry: the facts it saw and the rulebook version that produced it",
    query: NoQuery,
    response: EntryExplanation,
    errors: [Refusals.notFound("no such ledger entry")],
  },
}
