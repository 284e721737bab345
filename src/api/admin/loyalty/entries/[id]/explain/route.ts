import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyRulesAdminService from "../../../../../../services/loyalty-rules-admin"
import { route } from "../../../../../_shared/handler"
import { Entry } from "../../../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../_shared/route-docs"
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

// Stored history, as written by whichever plugin version wrote it: `details` and `facts` are described, not fixed.
const Explanation = z.strictObject({
  entry: z.strictObject({ ...Entry.shape, details: z.record(z.string(), z.unknown()).meta({ description: "the entry's stored details, without facts" }) }),
  rulebook: z
    .strictObject({ version: z.string(), files: z.array(z.strictObject({ name: z.string(), text: z.string() })).nullable() })
    .nullable(),
  facts: z.record(z.string(), z.unknown()).nullable().meta({ description: "the facts an accrual ({ order, customer }) or an earning action ({ action, member }) was evaluated with; null otherwise" }),
  rules_fired: z.array(z.strictObject({ name: z.string(), type: z.string().nullable(), contribution: z.number().int() })),
})

export const openapi: RouteDocs = {
  GET: {
    summary: "Explain a ledger entry: the facts it saw and the rulebook version that produced it",
    query: NoQuery,
    response: Explanation,
    errors: [Refusals.notFound("no such ledger entry")],
  },
}
