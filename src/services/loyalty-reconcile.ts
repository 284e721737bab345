import { TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import {
  countApplied,
  emptyReconcileResult,
  ReconcileCandidate,
  ReconcileKind,
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

type Row = { kind: ReconcileKind; order_id: string; refund_id: string | null; customer_id: string; at: Date; at_cursor: string; sort_id: string }
type Cursor = { at: string; sort_id: string; kind: string }

const BATCH_SIZE = 200

/**
 * The missed events of a window, as one timeline ordered by (at, sort_id, kind) and read in keyset pages, so a
 * big store is never loaded at once and applying a candidate (which removes it from the set) cannot shift a page:
 * - accrual: an order of a registered customer, created in the window, not canceled, with neither an accrual nor a
 *   cancel entry (a cancel entry settles the order: a canceled order is reversed, never awarded);
 * - reversal: a canceled order of a registered customer, canceled in the window, without a cancel entry;
 * - clawback: a refund in the window of such an order, without its `refund:{id}` entry, when the order has no cancel
 *   entry (the cancel took everything back) and either has its accrual or gets it in this run (created in the
 *   window and not canceled). Refunds of orders from before the window (or before the plugin) stay out.
 * `at::text` is the cursor: JavaScript dates keep milliseconds, PostgreSQL microseconds. Each branch filters by its
 * window before probing the ledger (unique index on idempotency_key); the keys are EntryKeys' formats spelled in SQL.
 */
const seen = (key: string) => `EXISTS (SELECT 1 FROM loyalty_ledger_entry e WHERE e.idempotency_key = ${key})`
const ACCRUED = seen(`'order:' || o.id || ':accrual'`)
const CANCEL_SEEN = seen(`'order:' || o.id || ':cancel'`)
// Members only, as the subscribers (a soft-deleted customer's orders would be skipped as guests on every run).
const MEMBER = `JOIN customer c ON c.id = o.customer_id AND c.has_account AND c.deleted_at IS NULL`
const CANDIDATES_SQL = `
  SELECT kind, order_id, refund_id, customer_id, at, at::text AS at_cursor, sort_id FROM (
    SELECT 'accrual' AS kind, o.id AS order_id, NULL::text AS refund_id, o.customer_id, o.created_at AS at, o.id AS sort_id
      FROM "order" o ${MEMBER}
     WHERE o.created_at >= $1 AND o.created_at < $2 AND o.status <> 'canceled' AND NOT ${ACCRUED} AND NOT ${CANCEL_SEEN}
    UNION ALL
    SELECT 'reversal', o.id, NULL, o.customer_id, coalesce(o.canceled_at, o.updated_at), o.id
      FROM "order" o ${MEMBER}
     WHERE o.status = 'canceled' AND coalesce(o.canceled_at, o.updated_at) >= $1 AND coalesce(o.canceled_at, o.updated_at) < $2
       AND NOT ${CANCEL_SEEN}
    UNION ALL
    SELECT 'clawback', o.id, r.id, o.customer_id, r.created_at, r.id
      FROM refund r JOIN "order" o ON o.id = r.order_id ${MEMBER}
     WHERE r.created_at >= $1 AND r.created_at < $2
       AND NOT ${seen(`'refund:' || r.id`)} AND NOT ${CANCEL_SEEN}
       AND (${ACCRUED} OR (o.status <> 'canceled' AND o.created_at >= $1))
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
      const left = run.limit === null ? Infinity : run.limit - result.scanned
      // One row more than the limit allows tells "stopped at the limit" from "window exhausted".
      const rows = await this.candidates(run, cursor, Math.min(batch, left + 1))
      for (const row of rows) {
        if (result.scanned >= (run.limit ?? Infinity)) {
          result.complete = false
          return result
        }
        await this.applyOne(toCandidate(row), result, clawedKeys)
      }
      if (rows.length < Math.min(batch, left + 1)) return result
      const last = rows[rows.length - 1]
      cursor = { at: last.at_cursor, sort_id: last.sort_id, kind: last.kind }
    }
  }

  private async candidates(run: ReconcileWindow, cursor: Cursor | null, take: number): Promise<Row[]> {
    return await this.manager_.query(CANDIDATES_SQL, [
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

function toCandidate(row: Row): ReconcileCandidate {
  return { kind: row.kind, order_id: row.order_id, refund_id: row.refund_id, customer_id: row.customer_id, at: new Date(row.at) }
}
