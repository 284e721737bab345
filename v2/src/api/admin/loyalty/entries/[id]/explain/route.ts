import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { route } from "../../../../../../lib/http"
import { explainLedgerEntry } from "../../../../../../workflows/ledger/explain"
import { entryExplainDocs } from "../../../../../../core/domain/http/contracts/rules"

/** GET /admin/loyalty/entries/:id/explain → { entry, rulebook: { version, files } | null, facts, rules_fired }. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(await explainLedgerEntry(req.scope, req.params.id))
})

export const openapi = entryExplainDocs
