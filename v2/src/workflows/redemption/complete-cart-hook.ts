import { completeCartWorkflow } from "@medusajs/medusa/core-flows"
import { StepResponse } from "@medusajs/framework/workflows-sdk"
import { guardCartRedemptions, releaseCartRedemptions } from "./checkout"

/**
 * A redemption code pays for at most one order: before the order is created (and before the payment is
 * authorized), the cart's loyalty codes are claimed in loyalty_redemption_use, unique by code. A second cart holding
 * the same code — completed afterwards, at the same moment, or after a crash — is refused with 400
 * REDEMPTION_ALREADY_USED; a guest's or another customer's cart with 400 REDEMPTION_NOT_YOURS; an expired or voided
 * code with 400 REDEMPTION_EXPIRED. When the completion then fails (payment, stock, v2's own usage check), the
 * compensation releases the claim, so the code can be used again.
 *
 * v2 allows one handler per hook. A store with its own validate handler sets LOYALTY_CHECKOUT_GUARD=store (this
 * handler is then not registered) and calls guardCartRedemptions / releaseCartRedemptions from its own (README).
 */
if (process.env.LOYALTY_CHECKOUT_GUARD !== "store") try {
  completeCartWorkflow.hooks.validate(
    async ({ cart }, { container }) => {
      const claim = await guardCartRedemptions(container, cart as any)
      return new StepResponse(claim, claim)
    },
    async (claim, { container }) => {
      await releaseCartRedemptions(container, claim)
    }
  )
} catch (e) {
  // eslint-disable-next-line no-console
  console.error(
    `medusa-plugin-loyalty-rules-v2: the redemption checkout guard was NOT installed (${(e as Error).message}). ` +
      `Call guardCartRedemptions/releaseCartRedemptions from your completeCartWorkflow.hooks.validate handler; ` +
      `until then only v2's promotion usage limit keeps a redemption code single-use.`
  )
}
