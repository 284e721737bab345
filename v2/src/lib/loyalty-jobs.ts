import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import {
  compareReconcileCandidates,
  countApplied,
  emptyReconcileResult,
  reconcileCandidate,
  reconcileWindow,
  tallyCandidate,
  tallyFailure,
  type ReconcileCandidate,
  type ReconcileEvent,
  type ReconcileKind,
  type ReconcileResult,
  type ReconcileStatus,
} from "../core/domain/ledger/reconcile"
import { LOYALTY_MODULE } from "../modules/loyalty"
import { refundsOfOrder } from "./order-facts"
import { expireRedemptions, settleUsedRedemptions, type ExpireCounts as RedemptionExpireCounts } from "./redemptions"
import type LoyaltyModuleService from "../modules/loyalty/service"
import { activateOrderWorkflow, expireAccountWorkflow, reevaluateTierWorkflow, type OrderActivationSide } from "../workflows/jobs"
import { accrueOrderWorkflow, clawbackRefundsWorkflow, reverseOrderWorkflow, type OrderPointsOutcome } from "../workflows/order-points"
import { EntryKeys } from "../core/domain/ledger/entry-keys"

/**
 * The periodic jobs of the v2 plugin, with the plugin's public names and result shapes (docs/operations.md): expire,
 * activate, tiers, reconcile. Called by the scheduled jobs (src/jobs), the admin routes (POST /admin/loyalty/jobs/*)
 * and the `medusa exec` script (src/scripts/loyalty-jobs.ts). Every run is idempotent. `now` is a parameter so tests
 * and operators can run a job as of another time; the routes and schedules pass the server clock.
 */

type Resolver = { resolve<T = any>(key: string): T }
type Query = { graph(input: Record<string, unknown>): Promise<{ data: any[]; metadata?: { count?: number } }> }

export type ExpiryCounts = { enabled: boolean; accounts_checked: number; entries_posted: number; points_expired: number }
export type ActivationCounts = { orders_checked: number; entries_posted: number; points_activated: number }
export type TierCounts = { accounts_checked: number; upgraded: number; downgraded: number; unchanged: number }
export type JobFailure = { id: string; message: string }

const PAGE = 200
const loyaltyOf = (scope: Resolver) => scope.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
const queryOf = (scope: Resolver) => scope.resolve<Query>(ContainerRegistrationKeys.QUERY)

async function eachAccount(scope: Resolver, positive_balance: boolean, visit: (customer_id: string) => Promise<void>): Promise<void> {
  let after = ""
  for (;;) {
    const ids = await loyaltyOf(scope).accountIdsPage({ after, limit: PAGE, positive_balance })
    for (const id of ids) await visit(id)
    if (ids.length < PAGE) return
    after = ids[ids.length - 1]
  }
}

/**
 * expire: every account with a positive balance loses the points older than the program's `expiry.after_months`
 * that it has not spent (FIFO), one entry per member and UTC day. `enabled: false` when points never expire.
 * `redemptions`: expired redemption codes voided first by the same run, their points given back, so they are
 * not expired with the rest.
 */
export async function runExpireJob(scope: Resolver, now: Date): Promise<{ expiry: ExpiryCounts; redemptions: RedemptionExpireCounts; failures: JobFailure[] }> {
  const redemptions = await expireRedemptions(scope, now)
  const counts: ExpiryCounts = { enabled: false, accounts_checked: 0, entries_posted: 0, points_expired: 0 }
  const failures: JobFailure[] = []
  const expiry = loyaltyOf(scope).getRulebook().program.expiry
  if (!expiry) return { expiry: counts, redemptions, failures }
  counts.enabled = true
  await eachAccount(scope, true, async (customer_id) => {
    counts.accounts_checked++
    try {
      const { result } = await expireAccountWorkflow(scope as any).run({
        input: { customer_id, now: now.toISOString(), after_months: expiry.after_months },
      })
      if (result.points > 0) {
        counts.entries_posted++
        counts.points_expired += result.points
      }
    } catch (e) {
      failures.push({ id: customer_id, message: (e as Error).message })
    }
  })
  return { expiry: counts, redemptions, failures }
}

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

/** activate: every order with pending points whose conditions hold at `now` gets them made available, once. */
export async function runActivateJob(scope: Resolver, now: Date): Promise<{ activation: ActivationCounts; failures: JobFailure[] }> {
  return await activatePending(scope, null, now)
}

/**
 * One order, on payment.captured: its pending points become available when the capture was the last thing they waited
 * for. Returns the points activated (0: nothing pending, or still waiting).
 */
export async function activateOrder(scope: Resolver, order_id: string, now: Date): Promise<number> {
  const { activation, failures } = await activatePending(scope, order_id, now)
  if (failures.length) throw new Error(failures[0].message)
  return activation.points_activated
}

async function activatePending(scope: Resolver, order_id: string | null, now: Date): Promise<{ activation: ActivationCounts; failures: JobFailure[] }> {
  const counts: ActivationCounts = { orders_checked: 0, entries_posted: 0, points_activated: 0 }
  const failures: JobFailure[] = []
  const pending = await loyaltyOf(scope).pendingOrders(order_id)
  for (let i = 0; i < pending.length; i += PAGE) {
    const page = pending.slice(i, i + PAGE)
    const sides = await orderActivationSide(scope, page.map((p) => p.order_id))
    for (const p of page) {
      const order = sides.get(p.order_id)
      if (!order) continue // the order is gone from Medusa: nothing to decide on
      counts.orders_checked++
      try {
        const { result } = await activateOrderWorkflow(scope as any).run({
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
  return { activation: counts, failures }
}

/**
 * tiers: every member's tier re-evaluated as of `now` (window facts move with time, grace periods end; a change
 * emits `loyalty.tier_changed`), and their tier groups repaired.
 */
export async function runTiersJob(scope: Resolver, now: Date): Promise<{ tiers: TierCounts; failures: JobFailure[] }> {
  const counts: TierCounts = { accounts_checked: 0, upgraded: 0, downgraded: 0, unchanged: 0 }
  const failures: JobFailure[] = []
  await eachAccount(scope, false, async (customer_id) => {
    counts.accounts_checked++
    try {
      const { result } = await reevaluateTierWorkflow(scope as any).run({ input: { customer_id, now: now.toISOString() } })
      const change = result?.change ?? "none"
      counts[change === "upgrade" ? "upgraded" : change === "downgrade" ? "downgraded" : "unchanged"]++
    } catch (e) {
      failures.push({ id: customer_id, message: (e as Error).message })
    }
  })
  return { tiers: counts, failures }
}

export type ReconcileRun = { since?: Date; until?: Date; limit?: number | null; now: Date; default_days?: number }

type OrderRow = {
  id: string
  status: string
  customer_id: string | null
  created_at: string
  canceled_at: string | null
  updated_at: string
  customer?: { has_account?: boolean } | null
}

const ORDER_FIELDS = ["id", "status", "customer_id", "created_at", "canceled_at", "updated_at", "customer.has_account"]

async function ordersWhere(scope: Resolver, filters: Record<string, unknown>): Promise<OrderRow[]> {
  const rows: OrderRow[] = []
  for (let skip = 0; ; skip += PAGE) {
    const { data } = await queryOf(scope).graph({
      entity: "order",
      fields: ORDER_FIELDS,
      filters,
      pagination: { skip, take: PAGE, order: { created_at: "ASC", id: "ASC" } },
    })
    rows.push(...data)
    if (data.length < PAGE) return rows
  }
}

/** Refunds created in the window and the order each belongs to (refund → payment → collection → order link). */
async function refundsIn(scope: Resolver, since: Date, until: Date): Promise<Array<{ id: string; created_at: string; order_id: string }>> {
  const query = queryOf(scope)
  const { data: refunds } = await query.graph({
    entity: "refund",
    fields: ["id", "created_at", "payment.payment_collection_id"],
    filters: { created_at: { $gte: since, $lt: until } },
  })
  const collections = [...new Set(refunds.map((r: any) => r.payment?.payment_collection_id).filter(Boolean))] as string[]
  if (!collections.length) return []
  const { data: links } = await query.graph({
    entity: "order_payment_collection",
    fields: ["order_id", "payment_collection_id"],
    filters: { payment_collection_id: collections },
  })
  const orderOf = new Map(links.map((l: any) => [l.payment_collection_id, l.order_id]))
  return refunds
    .map((r: any) => ({ id: r.id, created_at: new Date(r.created_at).toISOString(), order_id: orderOf.get(r.payment?.payment_collection_id) as string }))
    .filter((r) => !!r.order_id)
}

/**
 * The order events of the window (orders created, orders canceled, refunds, read through Query) with what the
 * ledger holds for their orders; which were missed is the core's rule (reconcileCandidate), oldest first
 * (compareReconcileCandidates).
 */
async function candidates(scope: Resolver, since: Date, until: Date): Promise<ReconcileCandidate[]> {
  const window = { $gte: since, $lt: until }
  const created = await ordersWhere(scope, { created_at: window })
  const canceled = await ordersWhere(scope, { status: "canceled", canceled_at: window })
  const refunds = await refundsIn(scope, since, until)
  const orders = new Map<string, OrderRow>([...created, ...canceled].map((o) => [o.id, o]))
  const missing = [...new Set(refunds.map((r) => r.order_id).filter((id) => !orders.has(id)))]
  if (missing.length) for (const o of await ordersWhere(scope, { id: missing })) orders.set(o.id, o)
  const keys = [...orders.keys()].flatMap((id) => [EntryKeys.accrual(id), EntryKeys.reversal(id)]).concat(refunds.map((r) => EntryKeys.clawback(r.id)))
  const seen = await scope.resolve<LoyaltyModuleService>(LOYALTY_MODULE).existingKeys(keys)
  const event = (kind: ReconcileKind, o: OrderRow, at: string, refund_id: string | null): ReconcileEvent => ({
    kind, order_id: o.id, refund_id, customer_id: o.customer_id ?? null, at: new Date(at),
    member: !!o.customer_id && o.customer?.has_account === true,
    order_canceled: o.status === "canceled",
    order_created_in_window: new Date(o.created_at) >= since && new Date(o.created_at) < until,
    accrued: seen.has(EntryKeys.accrual(o.id)),
    cancel_seen: seen.has(EntryKeys.reversal(o.id)),
    refund_seen: refund_id !== null && seen.has(EntryKeys.clawback(refund_id)),
  })
  const events = [
    ...created.map((o) => event("accrual", o, o.created_at, null)),
    ...canceled.map((o) => event("reversal", o, o.canceled_at ?? o.updated_at, null)),
    ...refunds.flatMap((r) => (orders.has(r.order_id) ? [event("clawback", orders.get(r.order_id)!, r.created_at, r.id)] : [])),
  ]
  return events.map(reconcileCandidate).filter((c): c is ReconcileCandidate => c !== null).sort(compareReconcileCandidates)
}

/**
 * reconcile: applies the missed order events of the window through the very workflows the subscribers run
 * (loyalty-accrue-order, loyalty-reverse-order, loyalty-clawback-refunds), oldest first, so the result is what the
 * events would have given and a second run finds nothing. One failing candidate is recorded and the sweep goes on.
 * `limit` stops after that many candidates (`complete: false`: run again).
 */
export async function runReconcileJob(scope: Resolver, run: ReconcileRun): Promise<ReconcileResult> {
  const window = reconcileWindow({ since: run.since, until: run.until, now: run.now, default_days: run.default_days ?? 30 })
  const limit = run.limit ?? null
  const result = emptyReconcileResult(window, limit)
  const loyalty = scope.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
  const clawedKeys = new Set<string>() // refund keys a sweep of this run already wrote
  // Entries of `outcome` written by this call: their key was not in the ledger just before it ran.
  const fresh = (outcome: OrderPointsOutcome | undefined, before: Set<string>) =>
    (outcome?.entries ?? []).filter((e) => !before.has(e.idempotency_key))
  const all = await candidates(scope, window.since, window.until)
  for (const c of all) {
    if (limit !== null && result.scanned >= limit) {
      result.complete = false
      break
    }
    try {
      if (c.kind === "clawback") {
        const key = EntryKeys.clawback(c.refund_id!)
        if (clawedKeys.has(key)) {
          tallyCandidate(result, c.kind, "posted_by_sweep")
          continue
        }
        const before = await loyalty.existingKeys([key])
        const { result: outcome } = await clawbackRefundsWorkflow(scope as any).run({ input: { order_id: c.order_id } })
        const written = fresh(outcome, before)
        for (const e of written) if (e.idempotency_key !== key && !clawedKeys.has(e.idempotency_key)) {
          clawedKeys.add(e.idempotency_key)
          countApplied(result, "clawback")
        }
        const own = outcome.entries.find((e) => e.idempotency_key === key)
        tallyCandidate(result, c.kind, own ? (written.includes(own) ? "posted" : "replayed") : "skipped")
        continue
      }
      if (c.kind === "accrual") {
        const refundKeys = (await refundsOfOrder(scope, c.order_id)).map((r) => EntryKeys.clawback(r.id))
        const before = await loyalty.existingKeys([EntryKeys.accrual(c.order_id), ...refundKeys])
        const { result: outcome } = await accrueOrderWorkflow(scope as any).run({ input: { order_id: c.order_id } })
        tallyCandidate(result, c.kind, outcomeStatus(outcome.accrual, before))
        // The accrual sweeps the order's refunds: those clawbacks are applied here, their candidates come later.
        for (const e of fresh(outcome.refunds, before)) {
          if (!clawedKeys.has(e.idempotency_key)) {
            clawedKeys.add(e.idempotency_key)
            countApplied(result, "clawback")
          }
        }
        continue
      }
      const before = await loyalty.existingKeys([EntryKeys.reversal(c.order_id)])
      const { result: outcome } = await reverseOrderWorkflow(scope as any).run({ input: { order_id: c.order_id } })
      tallyCandidate(result, c.kind, outcomeStatus(outcome, before))
    } catch (e) {
      tallyFailure(result, c, e)
    }
  }
  // Codes are swept whatever the window: a used code left reserved could be claimed again until it expires.
  result.redemptions_settled = (await settleUsedRedemptions(scope, run.now)).settled
  return result
}

/** A step outcome as a candidate's status: posted only when its entry was not in the ledger before the run. */
function outcomeStatus(outcome: OrderPointsOutcome, before: Set<string>): ReconcileStatus {
  if (outcome.status === "skipped" || !outcome.entries.length) return "skipped"
  return outcome.entries.some((e) => !before.has(e.idempotency_key)) ? "posted" : "replayed"
}
