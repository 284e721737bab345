import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyRulesAdminService from "../../../../../../services/loyalty-rules-admin"
import { route } from "../../../../../_shared/handler"
import { entryExplainDocs } from "../../../../../../domain/http/contracts/rules"
import { serializeEntry } from "../../../../../_shared/serialize"
import { NoQuery, parseInput } from "../../../../../_shared/validate"

/**
 * GET /admin/loyalty/entries/:id/explain → { entry, rulebook: { version, files } | null, facts, rules_fired }: the
 * facts an accrual saw and the rulebook version that produced it (as stored, whatever is live now).
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { entry, ...rest } = await req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService").explain(req.params.id)
  const { facts: _facts, ...details } = entry.details ?? {}
  res.json({ entry: { ...serializeEntry(entry), details }, ...rest })
})

export const openapi = entryExplainDocs
