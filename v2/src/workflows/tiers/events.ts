import { Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import type { TierChangeEvent } from "../../modules/loyalty/types"

/** The public event name and payload (docs/ledger.md#events): { customer_id, from, to, reason, rulebook_version }. */
export const TIER_CHANGED_EVENT = "loyalty.tier_changed"

type EventBus = {
  emit(messages: Array<{ name: string; data: unknown; metadata?: Record<string, unknown> }>): Promise<void>
  clearGroupedEvents(eventGroupId: string, options?: { eventNames?: string[] }): Promise<void>
}

/**
 * Emits `loyalty.tier_changed` for each tier change the workflow's postings wrote (the loyalty_tier_change rows),
 * as core-flows' emitEventStep does: grouped under the workflow's event group, so subscribers see them only once the
 * workflow has succeeded; a rollback clears them. (A compensating entry's tier change is recorded in
 * loyalty_tier_change like any other, but not emitted: compensations run outside the workflow's success path.)
 */
export const emitTierChangesStep = createStep(
  "loyalty-emit-tier-changes",
  async ({ changes }: { changes: TierChangeEvent[] }, { container, eventGroupId }) => {
    if (!changes?.length) return new StepResponse<number, string | null>(0, null)
    const bus = container.resolve<EventBus>(Modules.EVENT_BUS)
    const metadata = eventGroupId ? { eventGroupId } : {}
    await bus.emit(changes.map((data) => ({ name: TIER_CHANGED_EVENT, data, metadata })))
    return new StepResponse<number, string | null>(changes.length, eventGroupId ?? null)
  },
  async (eventGroupId, { container }) => {
    if (!eventGroupId) return
    await container.resolve<EventBus>(Modules.EVENT_BUS).clearGroupedEvents(eventGroupId, { eventNames: [TIER_CHANGED_EVENT] })
  }
)
