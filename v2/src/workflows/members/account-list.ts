/** The admin's account list: accounts with their customer's email, searchable by email or customer id. */
import { assertTierCode } from "../../core/domain/program/tier-code"
import type { TiersDef } from "../../core/domain/program/tiers"
import { liveRulebookOrNull, loyaltyOf, queryOf, type Resolver } from "../../lib/container"
import type { AccountRow, Page } from "../../modules/loyalty/types"

export type AccountListing = { accounts: Array<AccountRow & { email: string | null }>; count: number; tiers: TiersDef | null }

/**
 * Accounts newest first; `q` matches the customer id or the customer's email, `tier` a tier of the live ladder
 * (the core's assertTierCode: INVALID_INPUT for a tier it does not have, with a "did you mean").
 */
export async function listAccounts(scope: Resolver, filter: { q?: string; tier?: string }, page: Page): Promise<AccountListing> {
  const tiers = liveRulebookOrNull(scope)?.tiers ?? null
  const { q, tier } = filter
  // Without a live ladder there is nothing to check the code against: the stored codes are filtered as given.
  if (tier !== undefined && tiers) assertTierCode(tiers, tier, "query.tier")
  const customer_ids = q === undefined ? undefined : await customersWithEmailLike(scope, q)
  const [accounts, count] = await loyaltyOf(scope).pageAccounts({ q, tier, customer_ids }, page)
  const emails = await emailsOf(scope, accounts.map((a) => a.customer_id))
  return { accounts: accounts.map((a) => ({ ...a, email: emails.get(a.customer_id) ?? null })), count, tiers }
}

async function customersWithEmailLike(scope: Resolver, q: string): Promise<string[]> {
  const { data } = await queryOf(scope).graph({ entity: "customer", fields: ["id"], filters: { email: { $ilike: `%${q}%` } } })
  return data.map((c: { id: string }) => c.id)
}

async function emailsOf(scope: Resolver, customer_ids: string[]): Promise<Map<string, string>> {
  const emails = new Map<string, string>()
  if (!customer_ids.length) return emails
  const { data } = await queryOf(scope).graph({ entity: "customer", fields: ["id", "email"], filters: { id: customer_ids } })
  for (const c of data) emails.set(c.id, c.email)
  return emails
}
