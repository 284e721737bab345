import { TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import {
  countApplied,
  emptyReconcileResult,
  reconcileCandidate,
  ReconcileCandidate,
  ReconcileEvent,
  ReconcileResult,
  ReconcileStatus,
  ReconcileWindow,
  tallyCandidate,
  tallyFailure,
} from "../domain/ledger/reconcile"
import LoyaltyAccrualService, { OrderOutcome } from "./loyalty-accrual"
import { EntryKeys } from "../domain/ledger/entry-keys"

type InjectedDependencies = {
  manager: EntityManager
  loyaltyAccrualService: LoyaltyAccrualService
}

export type ReconcileRun = ReconcileWindow & {
  /** Most candidates to look at (null: all of the window). */
  limit: number | null
  /** Candidates read per query (keyset page). */
  batch_size?: number
}

type Row = Omit<ReconcileEvent, "at"> & { at: Date; at_cursor: string; sort_id: string }
type Cursor = { at: string; sort_id: string; kind: string }

const BATCH_SIZE = 200

/**
 * The order events of a window, as one timeline ordered by (at, sort_id, kind) and read in keyset pages, so a big
 * store is never loaded at once and applying a candidate cannot shift a page: every order created in the window,
 * every order canceled in it, every refund made in it, each with what the ledger holds for its order (read with the
 * page). Which of them were missed is the core's rule (reconcileCandidate), not this query's. `at::text` is the
 * cursor: JavaScript dates keep milliseconds, PostgreSQL microseconds. The probes use the ledger's unique index on
 * idempotency_key; the keys are EntryKeys' formats spelled in SQL.
 */
const seen = (key: string) => `EXISTS (SELECT 1 FROM loyalty_ledger_entry e WHERE e.idempotency_key = ${key})`
const ORDER_FLAGS = `coalesce(c.has_account AND c.deleted_at IS NULL, false) AS member, o.status = 'canceled' AS order_canceled,
       ${seen(`'order:' || o.id || ':accrual'`)} AS accrued, ${seen(`'order:' || o.id || ':cancel'`)} AS cancel_seen`
const CUSTOMER = `LEFT JOIN customer c ON c.id = o.customer_id`
const EVENTS_SQL = `
  SELECT *, at::text AS at_cursor FROM (
    SELECT 'accrual' AS kind, o.id AS order_id, NULL::text AS refund_id, o.customer_id, o.created_at AS at, o.id AS sort_id,
           true AS order_created_in_window, false AS refund_seen, ${ORDER_FLAGS}
      FROM "order" o ${CUSTOMER}
     WHERE o.created_at >= $1 AND o.created_at < $2
    UNION ALL
    SELECT 'reversal', o.id, NULL, o.customer_id, coalesce(o.canceled_at, o.updated_at), o.id,
           o.created_at >= $1, false, ${ORDER_FLAGS}
      FROM "order" o ${CUSTOMER}
     WHERE o.status = 'canceled' AND coalesce(o.canceled_at, o.updated_at) >= $1 AND coalesce(o.canceled_at, o.updated_at) < $2
    UNION ALL
    SELECT 'clawback', o.id, r.id, o.customer_id, r.created_at, r.id,
           o.created_at >= $1, ${seen(`'refund:' || r.id`)}, ${ORDER_FLAGS}
      FROM refund r JOIN "order" o ON o.id = r.order_id ${CUSTOMER}
     WHERE r.created_at >= $1 AND r.created_at < $2
  ) timeline
   WHERE $3::timestamptz IS NULL OR (at, sort_id, kind) > ($3::timestamptz, $4::text, $5::text)
   ORDER BY at, sort_id, kind
   LIMIT $6`

/**
 * Finds the order events the ledger has not seen (lost events, a crash between Medusa's commit and the handler) and
 * applies them through the very methods the subscribers call (awardOrder, reverseOrder, clawbackRefunds), so the
 * result is what the events would have given, and idempotent like them: a second run finds nothing. Each candidate
 * runs in its own transaction, oldest event first; one that fails is recorded and the sweep goes on.
 * Facts are read at reconcile time, as for a late event (e.g. the member's current tier).
 */
export default class LoyaltyReconcileService extends TransactionBaseService {
  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  async reconcile(run: ReconcileRun): Promise<ReconcileResult> {
    const result = emptyReconcileResult(run, run.limit)
    const batch = run.batch_size ?? BATCH_SIZE
    const clawedKeys = new Set<string>() // refund keys a refund sweep of this run already wrote
    let cursor: Cursor | null = null
    for (;;) {
      const rows = await this.events(run, cursor, batch)
      for (const row of rows) {
        const candidate = reconcileCandidate({ ...row, at: new Date(row.at) })
        if (!candidate) continue
        // A candidate beyond the limit tells "stopped at the limit" from "window exhausted".
        if (result.scanned >= (run.limit ?? Infinity)) {
          result.complete = false
          return result
        }
        await this.applyOne(candidate, result, clawedKeys)
      }
      if (rows.length < batch) return result
      const last = rows[rows.length - 1]
      cursor = { at: last.at_cursor, sort_id: last.sort_id, kind: last.kind }
    }
  }

  private async events(run: ReconcileWindow, cursor: Cursor | null, take: number): Promise<Row[]> {
    return await this.manager_.query(EVENTS_SQL, [
      run.since,
      run.until,
      cursor?.at ?? null,
      cursor?.sort_id ?? null,
      cursor?.kind ?? null,
      take,
    ])
  }

  private async applyOne(c: ReconcileCandidate, result: ReconcileResult, clawedKeys: Set<string>): Promise<void> {
    try {
      if (c.kind === "clawback") {
        const key = EntryKeys.clawback(c.refund_id!)
        if (clawedKeys.has(key)) return tallyCandidate(result, c.kind, "posted_by_sweep")
        const outcomes = await this.inTransaction((s) => s.clawbackRefunds(c.order_id))
        countSwept(outcomes.filter((o) => o.status === "skipped" || o.entry.idempotency_key !== key), result, clawedKeys)
        tallyCandidate(result, c.kind, statusOf(outcomes.find((o) => o.status !== "skipped" && o.entry.idempotency_key === key)))
        return
      }
      const outcome = await this.inTransaction((s) => (c.kind === "accrual" ? s.awardOrder(c.order_id) : s.reverseOrder(c.order_id)))
      tallyCandidate(result, c.kind, statusOf(outcome))
      // An accrual sweeps the order's refunds: those clawbacks are applied here, their candidates come later.
      if (outcome.status === "posted" && outcome.swept) countSwept(outcome.swept, result, clawedKeys)
    } catch (e) {
      tallyFailure(result, c, e)
    }
  }

  // Like the subscribers: a transaction per unit of work on a transaction-bound clone of the accrual service.
  private async inTransaction<T>(work: (s: LoyaltyAccrualService) => Promise<T>): Promise<T> {
    return await this.manager_.transaction((m) => work(this.deps_.loyaltyAccrualService.withTransaction(m)))
  }
}

/** Clawbacks written for other refunds than the candidate's (by a sweep): applied now, recognised when met. */
function countSwept(outcomes: readonly OrderOutcome[], result: ReconcileResult, clawedKeys: Set<string>): void {
  for (const o of outcomes) {
    if (o.status === "posted") {
      clawedKeys.add(o.entry.idempotency_key)
      countApplied(result, "clawback")
    }
  }
}

function statusOf(outcome: OrderOutcome | undefined): ReconcileStatus {
  return outcome ? outcome.status : "skipped"
}
