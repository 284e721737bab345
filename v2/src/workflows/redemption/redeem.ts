import type { MedusaContainer } from "@medusajs/framework/types"
/** POST /store/customers/me/loyalty/redemptions: a member's points → a personal single-use promotion code. */
import { memberAccount } from "../members/member-account"
import type { RedeemInput } from "./plan"
import { redeemPointsWorkflow, type RedeemOutcome } from "./workflows"

/** The member's account is opened first when missing (customers from before the install), then the redeem workflow runs. */
export async function redeemPoints(scope: MedusaContainer, input: RedeemInput): Promise<RedeemOutcome> {
  await memberAccount(scope, input.customer_id)
  const { result } = await redeemPointsWorkflow(scope).run({ input })
  return result
}
