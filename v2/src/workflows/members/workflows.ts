import { createStep, createWorkflow, StepResponse, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { memberContextSource } from "./member-facts"
import { LOYALTY_MODULE } from "../../modules/loyalty"
import type LoyaltyModuleService from "../../modules/loyalty/service"
import type { AccountRow, EntryRow, TierChangeEvent } from "../../modules/loyalty/types"
import { emitTierChangesStep } from "../tiers/events"
import { syncTierGroupsStep } from "../tiers/workflows"
import { adjustmentEntryDraft } from "../../core/domain/ledger/adjustment"

type EnrollOutcome = { enrolled: boolean; reason?: string; account_id?: string; created?: boolean; tier_changes?: TierChangeEvent[] }

/** customer.created → an account for a registered customer (auto_enroll); guests (has_account false) are not members. */
export const enrollCustomerStep = createStep(
  "loyalty-enroll-customer",
  async ({ customer_id }: { customer_id: string }, { container }) => {
    const loyalty = container.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
    if (!loyalty.pluginOptions.auto_enroll) return new StepResponse<EnrollOutcome>({ enrolled: false, reason: "auto_enroll off" })
    const query = container.resolve<any>(ContainerRegistrationKeys.QUERY)
    const { data } = await query.graph({ entity: "customer", fields: ["id", "has_account"], filters: { id: customer_id } })
    if (!data[0]?.has_account) return new StepResponse<EnrollOutcome>({ enrolled: false, reason: "guest" })
    const { account, created, tier_change } = await loyalty.ensureAccount(customer_id, memberContextSource(container, customer_id))
    return new StepResponse<EnrollOutcome>({ enrolled: true, account_id: account.id, created, tier_changes: tier_change ? [tier_change] : [] })
  }
  // No compensation: an empty account is harmless, and another event may have opened it meanwhile.
)

export const enrollCustomerWorkflow = createWorkflow("loyalty-enroll-customer", (input: { customer_id: string }) => {
  const outcome = enrollCustomerStep(input)
  // A new member joins their first tier's group (Bronze on the default ladder).
  syncTierGroupsStep(transform({ outcome, input }, ({ outcome, input }) => ({ customer_id: outcome.enrolled ? input.customer_id : null })))
  emitTierChangesStep(transform({ outcome }, ({ outcome }) => ({ changes: outcome.tier_changes ?? [] })))
  return new WorkflowResponse(outcome)
})

export type AdjustmentInput = { customer_id: string; points: number; reason: string; key: string; actor_id: string | null }

/** An admin's signed correction under a client Idempotency-Key: an exact retry returns the first entry, a different payload is a 422. */
export const postAdjustmentStep = createStep(
  "loyalty-post-adjustment",
  async (input: AdjustmentInput, { container }) => {
    const loyalty = container.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
    const program = loyalty.getRulebook().program
    const draft = adjustmentEntryDraft({ ...input, client_key: input.key, negative_balance: program.negative_balance })
    const result = await loyalty.post(draft, memberContextSource(container, input.customer_id))
    return new StepResponse<{ entry: EntryRow; account: AccountRow; replayed: boolean; tier_changes?: TierChangeEvent[] }, string[]>(
      result,
      result.replayed ? [] : [result.entry.id]
    )
  },
  async (posted, { container }) => {
    const loyalty = container.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
    for (const id of posted ?? []) {
      const entry = await loyalty.findEntry(id)
      if (entry) await loyalty.compensateEntry(id, memberContextSource(container, entry.customer_id))
    }
  }
)

export const postAdjustmentWorkflow = createWorkflow("loyalty-post-adjustment", (input: AdjustmentInput) => {
  const posted = postAdjustmentStep(input)
  syncTierGroupsStep(transform({ input }, ({ input }) => ({ customer_id: input.customer_id })))
  emitTierChangesStep(transform({ posted }, ({ posted }) => ({ changes: posted.tier_changes ?? [] })))
  return new WorkflowResponse(posted)
})
