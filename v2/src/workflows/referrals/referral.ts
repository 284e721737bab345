/** A member's referral code and the friend's code they attached (GET / POST /store/customers/me/loyalty/referral). */
import { LoyaltyError, LoyaltyErrorCodes } from "../../core/domain/shared/errors"
import { loyaltyOf, queryOf, type Resolver } from "../../lib/container"
import { memberAccount } from "../members/member-account"

export type AttachedReferral = { code: string; attached_at: string }

const attachedOf = (row: { code: string; attached_at: Date | string } | null): AttachedReferral | null =>
  row && { code: row.code, attached_at: new Date(row.attached_at).toISOString() }

/** Only registered customers have a code and attach one (a guest has no account). */
async function registeredCustomer(scope: Resolver, customer_id: string): Promise<{ created_at: Date }> {
  const { data } = await queryOf(scope).graph({ entity: "customer", fields: ["id", "has_account", "created_at"], filters: { id: customer_id } })
  const customer = data[0]
  if (!customer) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Customer ${customer_id} was not found`, { customer_id })
  if (!customer.has_account) throw new LoyaltyError(LoyaltyErrorCodes.ACTION_NOT_ALLOWED, `Customer ${customer_id} has no account (a guest)`, { customer_id })
  return { created_at: new Date(customer.created_at) }
}

/** My code to share (the same every time) and the friend's code I attached, or null. */
export async function referralOf(scope: Resolver, customer_id: string): Promise<{ code: string; attached: AttachedReferral | null }> {
  await registeredCustomer(scope, customer_id)
  await memberAccount(scope, customer_id)
  const loyalty = loyaltyOf(scope)
  const code = await loyalty.referralCodeOf(customer_id)
  return { code, attached: attachedOf(await loyalty.findReferral(customer_id)) }
}

/**
 * Attaches a friend's code to the member: once, never their own, within the program's `referral.attach_within_days`
 * of signing up and before a first order (the core's checkAttach, in the module's transaction).
 */
export async function attachReferralCode(scope: Resolver, customer_id: string, code: string, now: Date): Promise<AttachedReferral> {
  const customer = await registeredCustomer(scope, customer_id)
  await memberAccount(scope, customer_id)
  const loyalty = loyaltyOf(scope)
  const { attach_within_days } = loyalty.getRulebook().program.referral
  const { data: orders } = await queryOf(scope).graph({ entity: "order", fields: ["id", "is_draft_order"], filters: { customer_id } })
  const placed = orders.filter((o: { is_draft_order?: boolean }) => o.is_draft_order !== true).length
  const row = await loyalty.attachReferral({ referred_id: customer_id, code, signed_up_at: customer.created_at, orders: placed, attach_within_days, now })
  return attachedOf(row)!
}
