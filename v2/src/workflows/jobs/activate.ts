import type { MedusaContainer } from "@medusajs/framework/types"
import { loyaltyOf, queryOf, type Resolver } from "../../lib/container"
import { JOB_PAGE_SIZE, type JobFailure } from "./each-account"
import { activateOrderWorkflow, type OrderActivationSide } from "./workflows"
import { activateAwardWorkflow } from "../referrals/workflows"

export type ActivationCounts = { orders_checked: number; entries_posted: number; points_activated: number }

/**
 * The order's side of activation, read through Query (the loyalty module cannot read order tables):
 * - gone out: every item fulfilled (detail.fulfilled_quantity ≥ quantity), or the order completed; since the latest
 *   non-canceled fulfillment's shipped_at (its created_at when not shipped); a completed order without fulfillments
 *   uses updated_at;
 * - captured: the latest captured_at of the order's payments.
 */
export async function orderActivationSide(scope: Resolver, order_ids: string[]): Promise<Map<string, OrderActivationSide>> {
  const sides = new Map<string, OrderActivationSide>()
  if (!order_ids.length) return sides
  const { data } = await queryOf(scope).graph({
    entity: "order",
    fields: [
      "id", "status", "updated_at", "items.id", "items.quantity", "items.detail.fulfilled_quantity",
      "fulfillments.id", "fulfillments.shipped_at", "fulfillments.created_at", "fulfillments.canceled_at",
      "payment_collections.payments.captured_at",
    ],
    filters: { id: order_ids },
  })
  for (const o of data) {
    const items: any[] = o.items ?? []
    const allOut = items.every((i) => Number(i?.detail?.fulfilled_quantity ?? 0) >= Number(i?.quantity ?? 0))
    const completed = o.status === "completed"
    let gone_out_at: string | null = null
    if (completed || (items.length > 0 && allOut)) {
      const times = (o.fulfillments ?? [])
        .filter((f: any) => f && !f.canceled_at)
        .map((f: any) => new Date(f.shipped_at ?? f.created_at).getTime())
      if (times.length) gone_out_at = new Date(Math.max(...times)).toISOString()
      else if (completed) gone_out_at = new Date(o.updated_at).toISOString()
    }
    const captures = (o.payment_collections ?? [])
      .flatMap((pc: any) => pc?.payments ?? [])
      .map((p: any) => p?.captured_at)
      .filter(Boolean)
      .map((d: string) => new Date(d).getTime())
    sides.set(o.id, { status: o.status, gone_out_at, captured_at: captures.length ? new Date(Math.max(...captures)).toISOString() : null })
  }
  return sides
}

/**
 * activate: every order with pending points whose conditions hold at `now` gets them made available, once; so do the
 * pending referral awards that wait on such an order.
 */
export async function runActivateJob(scope: MedusaContainer, now: Date): Promise<{ activation: ActivationCounts; failures: JobFailure[] }> {
  return await activatePending(scope, null, now)
}

/**
 * One order, on payment.captured: its pending points become available when the capture was the last thing they waited
 * for. Returns the points activated (0: nothing pending, or still waiting).
 */
export async function activateOrder(scope: MedusaContainer, order_id: string, now: Date): Promise<number> {
  const { activation, failures } = await activatePending(scope, order_id, now)
  if (failures.length) throw new Error(failures[0].message)
  return activation.points_activated
}

async function activatePending(scope: MedusaContainer, order_id: string | null, now: Date): Promise<{ activation: ActivationCounts; failures: JobFailure[] }> {
  const counts: ActivationCounts = { orders_checked: 0, entries_posted: 0, points_activated: 0 }
  const failures: JobFailure[] = []
  const pending = await loyaltyOf(scope).pendingOrders(order_id)
  for (let i = 0; i < pending.length; i += JOB_PAGE_SIZE) {
    const page = pending.slice(i, i + JOB_PAGE_SIZE)
    const sides = await orderActivationSide(scope, page.map((p) => p.order_id))
    for (const p of page) {
      const order = sides.get(p.order_id)
      if (!order) continue // the order is gone from Medusa: nothing to decide on
      counts.orders_checked++
      try {
        const { result } = await activateOrderWorkflow(scope).run({
          input: { order_id: p.order_id, customer_id: p.customer_id, now: now.toISOString(), pending_days: p.pending_days, spendable_on: p.spendable_on, order },
        })
        if (result.points > 0) {
          counts.entries_posted++
          counts.points_activated += result.points
        }
      } catch (e) {
        failures.push({ id: p.order_id, message: (e as Error).message })
      }
    }
  }
  await activatePendingAwards(scope, order_id, now, counts, failures)
  return { activation: counts, failures }
}

/**
 * Pending action awards tied to an order (a referral's, possibly another member's) activate on that order's
 * conditions, each under its own member's lock; they count in `entries_posted` and `points_activated`.
 */
async function activatePendingAwards(scope: MedusaContainer, order_id: string | null, now: Date, counts: ActivationCounts, failures: JobFailure[]): Promise<void> {
  const awards = await loyaltyOf(scope).pendingAwards({ order_id, entry_id: null })
  for (let i = 0; i < awards.length; i += JOB_PAGE_SIZE) {
    const page = awards.slice(i, i + JOB_PAGE_SIZE)
    const sides = await orderActivationSide(scope, [...new Set(page.map((a) => a.terms.order_id))])
    for (const a of page) {
      const order = sides.get(a.terms.order_id)
      if (!order) continue
      try {
        const { result } = await activateAwardWorkflow(scope).run({
          input: { entry_id: a.entry_id, customer_id: a.customer_id, award_key: a.idempotency_key, now: now.toISOString(), order },
        })
        if (result.points > 0) {
          counts.entries_posted++
          counts.points_activated += result.points
        }
      } catch (e) {
        failures.push({ id: a.entry_id, message: (e as Error).message })
      }
    }
  }
}
