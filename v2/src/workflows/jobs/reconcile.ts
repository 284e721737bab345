import type { MedusaContainer } from "@medusajs/framework/types"
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
} from "../../core/domain/ledger/reconcile"
import { EntryKeys } from "../../core/domain/ledger/entry-keys"
import { loyaltyOf, queryOf, type Resolver } from "../../lib/container"
import { refundsOfOrder } from "../order-points/order-facts"
import { accrueOrderWorkflow, clawbackRefundsWorkflow, reverseOrderWorkflow, type OrderPointsOutcome } from "../order-points/workflows"
import { reconcileReferrals } from "../referrals/reconcile"
import { settleUsedRedemptions } from "../redemption/settle"
import { JOB_PAGE_SIZE } from "./each-account"

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
  for (let skip = 0; ; skip += JOB_PAGE_SIZE) {
    const { data } = await queryOf(scope).graph({
      entity: "order",
      fields: ORDER_FIELDS,
      filters,
      pagination: { skip, take: JOB_PAGE_SIZE, order: { created_at: "ASC", id: "ASC" } },
    })
    rows.push(...data)
    if (data.length < JOB_PAGE_SIZE) return rows
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
  const seen = await loyaltyOf(scope).existingKeys(keys)
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
export async function runReconcileJob(scope: MedusaContainer, run: ReconcileRun): Promise<ReconcileResult> {
  const window = reconcileWindow({ since: run.since, until: run.until, now: run.now, default_days: run.default_days ?? 30 })
  const limit = run.limit ?? null
  const result = emptyReconcileResult(window, limit)
  const loyalty = loyaltyOf(scope)
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
        const { result: outcome } = await clawbackRefundsWorkflow(scope).run({ input: { order_id: c.order_id } })
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
        const { result: outcome } = await accrueOrderWorkflow(scope).run({ input: { order_id: c.order_id } })
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
      const { result: outcome } = await reverseOrderWorkflow(scope).run({ input: { order_id: c.order_id } })
      tallyCandidate(result, c.kind, outcomeStatus(outcome, before))
    } catch (e) {
      tallyFailure(result, c, e)
    }
  }
  // Codes are swept whatever the window: a used code left reserved could be claimed again until it expires.
  result.redemptions_settled = (await settleUsedRedemptions(scope, run.now)).settled
  // Referral awards of first orders placed or canceled in the window whose events were lost.
  result.referrals = await reconcileReferrals(scope, window)
  return result
}

/** A step outcome as a candidate's status: posted only when its entry was not in the ledger before the run. */
function outcomeStatus(outcome: OrderPointsOutcome, before: Set<string>): ReconcileStatus {
  if (outcome.status === "skipped" || !outcome.entries.length) return "skipped"
  return outcome.entries.some((e) => !before.has(e.idempotency_key)) ? "posted" : "replayed"
}
