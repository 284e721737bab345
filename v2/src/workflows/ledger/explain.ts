/** Why an entry has its points: the entry, the rulebook version it was decided under, the facts and rules. */
import { LoyaltyError, LoyaltyErrorCodes } from "../../core/domain/shared/errors"
import { explainEntry } from "../../core/domain/http/rules-admin"
import { serializeEntry } from "../../core/domain/http/views"
import { loyaltyOf, type Resolver } from "../../lib/container"

/** GET /admin/loyalty/entries/:id/explain's answer; NOT_FOUND for an unknown entry. */
export async function explainLedgerEntry(scope: Resolver, entry_id: string) {
  const loyalty = loyaltyOf(scope)
  const entry = await loyalty.findEntry(entry_id)
  if (!entry) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Ledger entry ${entry_id} was not found`)
  const stored = entry.rulebook_version ? (await loyalty.listLoyaltyRulebooks({ version: entry.rulebook_version }))[0] : undefined
  const files = (stored?.files as Array<{ name: string; text: string }> | undefined) ?? null
  // The facts are shown once, by explainEntry, not again in the entry's details.
  const { facts: _facts, ...details } = (entry.details ?? {}) as Record<string, unknown>
  return { entry: { ...serializeEntry(entry), details }, ...explainEntry(entry, files) }
}
