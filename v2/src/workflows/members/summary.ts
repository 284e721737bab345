/** What the member's own loyalty page shows: the account, the ladder and the next tier. */
import { nextTier, type TiersDef } from "../../core/domain/program/tiers"
import { serializeAccount } from "../../core/domain/http/views"
import { liveRulebookOrNull, loyaltyOf, type Resolver } from "../../lib/container"
import type { AccountRow } from "../../modules/loyalty/types"
import { memberAccount } from "./member-account"

/** The next tier as the member sees it (docs/api.md): its threshold value, not the fact path. */
export type NextTierView = { code: string; name: string; threshold: number | null; points_needed: number | null }
export type MemberSummary = { account: AccountRow; tiers: TiersDef | null; next_tier: NextTierView | null }

/**
 * One SQL statement once the account exists (the account row and its ledger facts, accountFacts). The customer and
 * order facts (3–4 Query reads) are not read: next_tier shows the next tier's code, name and threshold (the
 * rulebook's) and points_needed, which the core's nextTier fills only for a `$.points_*` threshold, i.e. from the
 * ledger figures.
 */
export async function memberSummary(scope: Resolver, customer_id: string): Promise<MemberSummary> {
  const loyalty = loyaltyOf(scope)
  let found = await loyalty.accountFacts(customer_id)
  if (!found) {
    await memberAccount(scope, customer_id) // opened on first need (customers from before the install); NOT_FOUND otherwise
    found = (await loyalty.accountFacts(customer_id))!
  }
  const { account, facts } = found
  const rulebook = liveRulebookOrNull(scope)
  const next = rulebook?.tiers ? nextTier(rulebook, account.tier, facts) : null
  const next_tier = next && { code: next.code, name: next.name, threshold: next.threshold?.value ?? null, points_needed: next.points_needed }
  return { account, tiers: rulebook?.tiers ?? null, next_tier }
}

/**
 * The account as the member and the admin both see it (GET /store/customers/me/loyalty, GET
 * /admin/loyalty/accounts/:customer_id): the core's serializeAccount, the next points to expire (the core's FIFO over
 * the account's movements, as the expire job) and the next tier.
 */
export async function memberSummaryView(scope: Resolver, customer_id: string, now: Date) {
  const { account, tiers, next_tier } = await memberSummary(scope, customer_id)
  const after_months = liveRulebookOrNull(scope)?.program.expiry?.after_months ?? null
  const next_expiry = await loyaltyOf(scope).nextExpiryOf(account.customer_id, now, after_months)
  return { ...serializeAccount(account, tiers), next_expiry, next_tier }
}
