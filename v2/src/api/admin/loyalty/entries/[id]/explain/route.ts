import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LoyaltyError, LoyaltyErrorCodes } from "../../../../../../core/domain/shared/errors"
import { NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { explainEntry } from "../../../../../../core/domain/http/rules-admin"
import { serializeEntry } from "../../../../../../core/domain/http/views"
import { loyaltyOf, route } from "../../../../../../lib/http"

/** GET /admin/loyalty/entries/:id/explain → { entry, rulebook: { version, files } | null, facts, rules_fired }. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const loyalty = loyaltyOf(req)
  const entry = await loyalty.findEntry(req.params.id)
  if (!entry) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Ledger entry ${req.params.id} was not found`)
  const stored = entry.rulebook_version ? (await loyalty.listLoyaltyRulebooks({ version: entry.rulebook_version }))[0] : undefined
  const { facts: _facts, ...details } = (entry.details ?? {}) as Record<string, unknown>
  res.json({ entry: { ...serializeEntry(entry), details }, ...explainEntry(entry, (stored?.files as any) ?? null) })
})
