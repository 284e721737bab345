import { createStep, createWorkflow, StepResponse, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { Modules } from "@medusajs/framework/utils"
import { checkRedemption, redemptionEntryDraft } from "../../core/domain/ledger/redemption"
import { LOYALTY_MODULE } from "../../modules/loyalty"
import type LoyaltyModuleService from "../../modules/loyalty/service"
import type { RedemptionRow } from "../../modules/loyalty/types"
import { expireRedemptions } from "./expire"
import { planRedemption, promotionInput, type RedeemInput, type RedemptionPlan } from "./plan"
import { settleRedemptionsForOrder, settleUsedRedemptions } from "./settle"

export type RedeemOutcome = { redemption: RedemptionRow; replayed: boolean }

/** Checks, replay detection and the code's figures; writes nothing. */
export const planRedemptionStep = createStep("loyalty-redemption-plan", async (input: RedeemInput, { container }) => {
  return new StepResponse<RedemptionPlan>(await planRedemption(container, input))
})

/**
 * The v2 promotion, created as a draft (unusable until the debit committed: a crash in between leaves a draft
 * nobody can apply). Compensation deletes it.
 */
export const createRedemptionPromotionStep = createStep(
  "loyalty-redemption-create-promotion",
  async (plan: RedemptionPlan, { container }) => {
    if (plan.replay) return new StepResponse<string | null, string | null>(null, null)
    const [created] = await container.resolve<any>(Modules.PROMOTION).createPromotions([promotionInput(plan.redemption)])
    return new StepResponse<string | null, string | null>(created.id, created.id)
  },
  async (promotion_id, { container }) => {
    if (promotion_id) await container.resolve<any>(Modules.PROMOTION).deletePromotions([promotion_id])
  }
)

/**
 * The debit: under the account lock, the balance checked again (INSUFFICIENT_POINTS), a `redemption` entry of
 * −points (key `redemption:{customer_id}:{Idempotency-Key}`) and the redemption row, in one transaction.
 * Compensation: a counter-entry and the redemption voided.
 */
export const debitRedemptionStep = createStep(
  "loyalty-redemption-debit",
  async ({ plan, promotion_id }: { plan: RedemptionPlan; promotion_id: string | null }, { container }) => {
    if (plan.replay) return new StepResponse<RedeemOutcome & { orphan: string | null }, { entry_id: string; redemption_id: string } | null>({ redemption: plan.replay, replayed: true, orphan: null }, null)
    const loyalty = container.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
    const program = loyalty.getRulebook().program
    const r = plan.redemption
    const { redemption, entry, replayed } = await loyalty.redeemUnderLock(
      { ...r, promotion_id },
      (balance) => checkRedemption(r.points, balance, program),
      redemptionEntryDraft(
        { redemption_id: r.id, customer_id: r.customer_id, points: r.points, code: r.code, amount_minor: r.amount_minor, currency_code: r.currency_code, links: { promotion_id } },
        plan.client_key
      )
    )
    // A concurrent request under the same key won the lock: its redemption is the answer, our promotion an orphan.
    return new StepResponse(
      { redemption, replayed, orphan: replayed ? promotion_id : null },
      replayed ? null : { entry_id: entry.id, redemption_id: redemption.id }
    )
  },
  async (posted, { container }) => {
    if (!posted) return
    const loyalty = container.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
    await loyalty.compensateEntry(posted.entry_id)
    await loyalty.updateRedemptionStatus(posted.redemption_id, "voided")
  }
)

/** The promotion goes live once the points are debited (or, for a replay that lost the race, the orphan is deleted). */
export const activateRedemptionPromotionStep = createStep(
  "loyalty-redemption-activate-promotion",
  async ({ outcome, promotion_id }: { outcome: RedeemOutcome & { orphan: string | null }; promotion_id: string | null }, { container }) => {
    const promotions = container.resolve<any>(Modules.PROMOTION)
    if (outcome.orphan) await promotions.deletePromotions([outcome.orphan])
    else if (!outcome.replayed && promotion_id) await promotions.updatePromotions([{ id: promotion_id, status: "active" }])
    return new StepResponse<RedeemOutcome>({ redemption: outcome.redemption, replayed: outcome.replayed })
  }
)

/**
 * A redemption for a cart (`cart_id`): the code applied to it in the same run. A cart that refuses it rolls the
 * redemption back, so no points go to a code the cart cannot take.
 */
export const applyRedemptionToCartStep = createStep(
  "loyalty-redemption-apply-to-cart",
  async (outcome: RedeemOutcome, { container }) => {
    const { redemption, replayed } = outcome
    if (!redemption.cart_id || replayed) return new StepResponse(outcome)
    const { updateCartPromotionsWorkflow } = await import("@medusajs/medusa/core-flows")
    await updateCartPromotionsWorkflow(container).run({ input: { cart_id: redemption.cart_id, promo_codes: [redemption.code], action: "add" as any } })
    return new StepResponse(outcome)
  }
)

/** POST /store/customers/me/loyalty/redemptions: points → a personal single-use promotion code. */
export const redeemPointsWorkflow = createWorkflow("loyalty-redeem-points", (input: RedeemInput) => {
  const plan = planRedemptionStep(input)
  const promotion_id = createRedemptionPromotionStep(plan)
  const debited = debitRedemptionStep(transform({ plan, promotion_id }, (d) => d))
  const outcome = activateRedemptionPromotionStep(transform({ outcome: debited, promotion_id }, (d) => d))
  return new WorkflowResponse(applyRedemptionToCartStep(outcome))
})

/**
 * The redemption codes an order used are settled, as a workflow for a caller's own flows (the plugin's order.placed
 * subscriber calls settleRedemptionsForOrder directly: for the many orders without a code, a read and no workflow run).
 */
export const settleOrderRedemptionsStep = createStep("loyalty-settle-order-redemptions", async ({ order_id }: { order_id: string }, { container }) => {
  const settled = await settleRedemptionsForOrder(container, order_id)
  return new StepResponse(settled.map((r) => r.id))
})

export const settleOrderRedemptionsWorkflow = createWorkflow("loyalty-settle-order-redemptions", (input: { order_id: string }) => {
  return new WorkflowResponse(settleOrderRedemptionsStep(input))
})

/** Reconcile: codes used by existing orders whose order.placed was lost are settled (idempotent). */
export const settleUsedRedemptionsStep = createStep("loyalty-settle-used-redemptions", async (_: Record<string, never>, { container }) => {
  return new StepResponse(await settleUsedRedemptions(container))
})

export const settleUsedRedemptionsWorkflow = createWorkflow("loyalty-settle-used-redemptions", (input: Record<string, never>) => {
  return new WorkflowResponse(settleUsedRedemptionsStep(input))
})

/** The expiry sweep of redemption codes (points of expired unused codes back, exactly once). */
export const expireRedemptionsStep = createStep("loyalty-expire-redemptions", async ({ now }: { now?: string }, { container }) => {
  return new StepResponse(await expireRedemptions(container, now ? new Date(now) : new Date()))
})

export const expireRedemptionsWorkflow = createWorkflow("loyalty-expire-redemptions", (input: { now?: string }) => {
  return new WorkflowResponse(expireRedemptionsStep(input))
})
