import { completeCartWorkflow } from "@medusajs/medusa/core-flows"
import { StepResponse } from "@medusajs/framework/workflows-sdk"
import { claimCartRedemptions } from "../../lib/redemptions"
import { LOYALTY_MODULE } from "../../modules/loyalty"
import type LoyaltyModuleService from "../../modules/loyalty/service"

/**
 * A redemption code pays for at most one order: before the order is created (and before the payment is
 * authorized), the cart's loyalty codes are claimed in loyalty_redemption_use, unique by code. A second cart holding
 * the same code — completed afterwards, at the same moment, or after a crash — is refused with 400
 * REDEMPTION_ALREADY_USED; a guest's or another customer's cart with 400 REDEMPTION_NOT_YOURS; an expired or voided
 * code with 400 REDEMPTION_EXPIRED. When the completion then fails (payment, stock, v2's own usage check), the
 * compensation releases the claim, so the code can be used again.
 */
completeCartWorkflow.hooks.validate(
  async ({ cart }, { container }) => {
    const claimed = await claimCartRedemptions(container, cart as any)
    return new StepResponse({ cart_id: (cart as any).id as string, codes: claimed }, { cart_id: (cart as any).id as string, codes: claimed })
  },
  async (claim, { container }) => {
    if (!claim?.codes?.length) return
    await container.resolve<LoyaltyModuleService>(LOYALTY_MODULE).releaseRedemptionClaims(claim.cart_id, claim.codes)
  }
)
