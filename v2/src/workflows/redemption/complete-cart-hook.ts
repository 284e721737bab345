import { completeCartWorkflow } from "@medusajs/medusa/core-flows"
import { StepResponse } from "@medusajs/framework/workflows-sdk"
import { guardCartRedemptions, releaseCartRedemptions } from "./checkout"
import { guardCartPoints, releaseCartPoints } from "../cart-points/cart-points"

/**
 * A redemption code pays for at most one order: before the order is created (and before the payment is
 * authorized), the cart's loyalty codes are claimed in loyalty_redemption_use, unique by code. A second cart holding
 * the same code — completed afterwards, at the same moment, or after a crash — is refused with 400
 * REDEMPTION_ALREADY_USED; a guest's or another customer's cart with 400 REDEMPTION_NOT_YOURS; an expired or voided
 * code with 400 REDEMPTION_EXPIRED. When the completion then fails (payment, stock, v2's own usage check), the
 * compensation releases the claim, so the code can be used again.
 *
 * Then the points the cart pays with (a "loyalty_points" credit line) are debited under the member's account lock:
 * a balance that fell since they were applied is refused with 400 INSUFFICIENT_POINTS (nothing claimed stays
 * claimed), and a completion that fails afterwards gets them back (workflows/cart-points/cart-points.ts).
 *
 * v2 allows one handler per hook. A store with its own validate handler sets LOYALTY_CHECKOUT_GUARD=store (this
 * handler is then not registered) and calls guardCartRedemptions / releaseCartRedemptions and guardCartPoints / releaseCartPoints from its own (README).
 */
if (process.env.LOYALTY_CHECKOUT_GUARD !== "store") try {
  completeCartWorkflow.hooks.validate(
    async ({ cart }, { container }) => {
      const claim = await guardCartRedemptions(container, cart as any)
      // A refused debit fails this step, whose own compensation does not run: release the claims here.
      const points = await guardCartPoints(container, cart as any).catch(async (e) => {
        await releaseCartRedemptions(container, claim)
        throw e
      })
      return new StepResponse({ ...claim, points }, { ...claim, points })
    },
    async (claim, { container }) => {
      await releaseCartRedemptions(container, claim)
      await releaseCartPoints(container, claim?.points)
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
