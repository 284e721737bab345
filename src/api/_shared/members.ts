import type { CustomerService, MedusaRequest } from "@medusajs/medusa"
import { LoyaltyError, LoyaltyErrorCodes } from "../../domain/shared/errors"
import { nextTier } from "../../domain/program/tiers"
import type LoyaltyLedgerService from "../../services/loyalty-ledger"
import type LoyaltyMemberService from "../../services/loyalty-member"
import type { LoyaltyAccount } from "../../models/loyalty-account"
import { serializeAccount } from "./serialize"

/** The logged-in customer's id: identity comes from the session, never from the URL or body. */
export function currentCustomerId(req: MedusaRequest): string {
  const id = (req as MedusaRequest & { user?: { customer_id?: string } }).user?.customer_id
  if (!id) {
    throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, "No logged-in customer")
  }
  return id
}

/**
 * The account of an existing customer, opened on first need (customers created before install have none);
 * NOT_FOUND when Medusa has no such customer.
 */
export async function memberAccount(req: MedusaRequest, customer_id: string): Promise<LoyaltyAccount> {
  const ledger: LoyaltyLedgerService = req.scope.resolve("loyaltyLedgerService")
  const existing = await ledger.findAccount(customer_id)
  if (existing) {
    return existing
  }
  const customers: CustomerService = req.scope.resolve("customerService")
  await customers.retrieve(customer_id, { select: ["id"] }).catch(() => {
    throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Customer ${customer_id} was not found`, { customer_id })
  })
  return await ledger.ensureAccount(customer_id)
}

/** The acting admin user's id: `{ userId }` for session/bearer auth, the whole User for an API token. */
export function adminUserId(req: MedusaRequest): string | null {
  const user = (req as MedusaRequest & { user?: { userId?: string; id?: string } }).user
  return user?.userId ?? user?.id ?? null
}

/**
 * A member's account as the store and the admin show it: the account, the next points to expire and the next tier
 * (`{ code, name, threshold, points_needed }`, null at the top or without tiers). One query once the account exists.
 */
export async function memberSummary(req: MedusaRequest, customer_id: string, now: Date) {
  const members: LoyaltyMemberService = req.scope.resolve("loyaltyMemberService")
  let summary = await members.summary(customer_id, now)
  if (!summary) {
    await memberAccount(req, customer_id) // opened on first need (customers from before the install)
    summary = (await members.summary(customer_id, now))!
  }
  const { account, member, next_expiry, rulebook } = summary
  const next = rulebook && member ? nextTier(rulebook, account.tier, member) : null
  const next_tier = next && { code: next.code, name: next.name, threshold: next.threshold?.value ?? null, points_needed: next.points_needed }
  return { ...serializeAccount(account, rulebook?.tiers ?? null), next_expiry, next_tier }
}
