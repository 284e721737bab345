import { Modules } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import type { PointsExpiringEvent } from "../../core/domain/ledger/expiry"
import { loyaltyOf, type Resolver } from "../../lib/container"
import { eachAccount, type JobFailure } from "./each-account"

/** The public event name and payload (docs/ledger.md#events): the core's pointsExpiringEvent. */
export const POINTS_EXPIRING_EVENT = "loyalty.points_expiring"

/** The expire job's `reminders` (docs/operations.md): `enabled` false when points never expire or reminders are 0 days. */
export type ReminderCounts = { enabled: boolean; accounts_checked: number; emitted: number }

type EventBus = {
  emit(messages: Array<{ name: string; data: unknown; metadata?: Record<string, unknown> }>): Promise<void>
  clearGroupedEvents(eventGroupId: string, options?: { eventNames?: string[] }): Promise<void>
}

export type RemindMemberInput = { customer_id: string; now: string; after_months: number; reminder_days: number }

/**
 * The member's reminder due now, recorded once per expiry date in loyalty_expiry_reminder (the module's
 * recordExpiryReminder: the core's nextExpiry and expiryReminder). The row stays when a later step fails: a reminder
 * is at most once, never twice.
 */
export const recordExpiryReminderStep = createStep(
  "loyalty-record-expiry-reminder",
  async ({ customer_id, now, after_months, reminder_days }: RemindMemberInput, { container }) => {
    const event = await loyaltyOf(container).recordExpiryReminder(customer_id, new Date(now), { after_months, reminder_days })
    return new StepResponse<PointsExpiringEvent | null>(event)
  }
)

/** Emits `loyalty.points_expiring` in the workflow's event group: subscribers see it once the workflow succeeded. */
export const emitPointsExpiringStep = createStep(
  "loyalty-emit-points-expiring",
  async (event: PointsExpiringEvent | null, { container, eventGroupId }) => {
    if (!event) return new StepResponse<boolean, string | null>(false, null)
    await container.resolve<EventBus>(Modules.EVENT_BUS).emit([{ name: POINTS_EXPIRING_EVENT, data: event, metadata: eventGroupId ? { eventGroupId } : {} }])
    return new StepResponse<boolean, string | null>(true, eventGroupId ?? null)
  },
  async (eventGroupId, { container }) => {
    if (eventGroupId) await container.resolve<EventBus>(Modules.EVENT_BUS).clearGroupedEvents(eventGroupId, { eventNames: [POINTS_EXPIRING_EVENT] })
  }
)

export const remindMemberWorkflow = createWorkflow("loyalty-remind-expiry", (input: RemindMemberInput) => {
  const event = recordExpiryReminderStep(input)
  return new WorkflowResponse(emitPointsExpiringStep(event))
})

/**
 * Reminds every member with points whose next points expire within the program's `expiry_reminder_days` of `now`:
 * one `loyalty.points_expiring` per member and expiry date, ever, however often the job runs.
 */
export async function remindExpiringPoints(scope: Resolver, now: Date): Promise<{ reminders: ReminderCounts; failures: JobFailure[] }> {
  const { expiry, expiry_reminder_days } = loyaltyOf(scope).getRulebook().program
  const reminders: ReminderCounts = { enabled: false, accounts_checked: 0, emitted: 0 }
  const failures: JobFailure[] = []
  if (!expiry || expiry_reminder_days <= 0) return { reminders, failures }
  reminders.enabled = true
  await eachAccount(scope, true, async (customer_id) => {
    reminders.accounts_checked++
    try {
      const { result } = await remindMemberWorkflow(scope as any).run({
        input: { customer_id, now: now.toISOString(), after_months: expiry.after_months, reminder_days: expiry_reminder_days },
      })
      if (result) reminders.emitted++
    } catch (e) {
      failures.push({ id: customer_id, message: (e as Error).message })
    }
  })
  return { reminders, failures }
}
