import type { MedusaContainer } from "@medusajs/framework/types"
/** An existing customer's loyalty account as the admin and store routes use it: opened on first need. */
import { LoyaltyError, LoyaltyErrorCodes } from "../../core/domain/shared/errors"
import { loyaltyOf, queryOf, type Resolver } from "../../lib/container"
import type { AccountRow, EntryRow, Page } from "../../modules/loyalty/types"
import { memberContextSource } from "./member-facts"
import { postAdjustmentWorkflow, type AdjustmentInput } from "./workflows"

/**
 * The account of an existing customer, opened on first need (customers from before the install); NOT_FOUND for an
 * unknown customer.
 */
export async function memberAccount(scope: Resolver, customer_id: string): Promise<AccountRow> {
  const loyalty = loyaltyOf(scope)
  const found = await loyalty.findAccount(customer_id)
  if (found) return found
  const { data } = await queryOf(scope).graph({ entity: "customer", fields: ["id"], filters: { id: customer_id } })
  if (!data[0]) {
    throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Customer ${customer_id} was not found`, { customer_id })
  }
  return (await loyalty.ensureAccount(customer_id, memberContextSource(scope, customer_id))).account
}

/** A page of an existing customer's entries, newest first, and their count (NOT_FOUND for an unknown customer). */
export async function memberEntries(scope: Resolver, customer_id: string, page: Page): Promise<[EntryRow[], number]> {
  const account = await memberAccount(scope, customer_id)
  return await loyaltyOf(scope).pageEntries(account.customer_id, page)
}

/** A page of an existing customer's redemption codes, newest first, and their count (NOT_FOUND for an unknown customer). */
export async function memberRedemptions(scope: Resolver, customer_id: string, page: Page) {
  const account = await memberAccount(scope, customer_id)
  return await loyaltyOf(scope).pageRedemptions(account.customer_id, page)
}

/** An admin's adjustment of an existing customer's points (the loyalty-post-adjustment workflow). */
export async function postMemberAdjustment(scope: MedusaContainer, input: AdjustmentInput) {
  const account = await memberAccount(scope, input.customer_id)
  const { result } = await postAdjustmentWorkflow(scope).run({ input: { ...input, customer_id: account.customer_id } })
  return result
}
