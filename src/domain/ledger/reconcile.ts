/**
 * Reconcile: the pure parts of the sweep that finds the order events the ledger has not seen (a lost event, a crash
 * between Medusa's commit and the handler) and applies them through the same service methods as the subscribers.
 * Here: the time window, the bookkeeping of one run (what was applied, what was already there, what failed) and
 * its text report. No clock: callers pass `now`.
 */
import { isLoyaltyError, LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"
import { DAY_MS } from "../shared/time"

/** The three business events a sweep replays, in the words of the ledger entry each one writes. */
export const ReconcileKinds = ["accrual", "reversal", "clawback"] as const
export type ReconcileKind = (typeof ReconcileKinds)[number]

/** One missed business event: an order placed, an order canceled, or a refund, at the moment it happened. */
export interface ReconcileCandidate {
  kind: ReconcileKind
  order_id: string
  /** The refund of a clawback; null for accruals and reversals. */
  refund_id: string | null
  customer_id: string
  /** When the event happened (order created_at, canceled_at, refund created_at): candidates are replayed in this order. */
  at: Date
}

/**
 * One order event of a window, as either adapter reads it from its platform: an order created (`accrual`), an order
 * canceled (`reversal`) or a refund (`clawback`), with what the ledger holds for its order when it is decided.
 */
export interface ReconcileEvent {
  kind: ReconcileKind
  order_id: string
  refund_id: string | null
  customer_id: string | null
  /** The customer has an account (registered, not deleted); guests earn nothing, so their events are never missed. */
  member: boolean
  at: Date
  order_canceled: boolean
  /** The order was created in the run's window: a missed accrual of it is replayed by this run. */
  order_created_in_window: boolean
  /** The order's accrual entry, its cancel entry, this refund's clawback entry (false for other kinds) exist. */
  accrued: boolean
  cancel_seen: boolean
  refund_seen: boolean
}

/**
 * The reconcile rule, for both adapters: the event is a missed one to replay, or null.
 * - accrual: a member's order, not canceled, with neither an accrual nor a cancel entry;
 * - reversal: a member's canceled order without a cancel entry;
 * - clawback: a member's refund without its entry, when the order has no cancel entry (the cancel took everything
 *   back) and has its accrual or gets it in this run (created in the window, not canceled). Refunds of orders from
 *   before the window (or before the plugin) stay out: they never earned here.
 * Invariant: a candidate's own entry is not in the ledger, and an order with a cancel entry yields no candidate.
 */
export function reconcileCandidate(e: ReconcileEvent): ReconcileCandidate | null {
  if (!e.member || e.customer_id === null || e.cancel_seen) return null
  const missed =
    e.kind === "accrual" ? !e.order_canceled && !e.accrued
      : e.kind === "reversal" ? e.order_canceled
        : !e.refund_seen && (e.accrued || (!e.order_canceled && e.order_created_in_window))
  return missed ? { kind: e.kind, order_id: e.order_id, refund_id: e.refund_id, customer_id: e.customer_id, at: e.at } : null
}

/** The timeline's order, replay order: event time, then the refund or order id, then the kind (a stable keyset). */
export function compareReconcileCandidates(a: ReconcileCandidate, b: ReconcileCandidate): number {
  const id = (c: ReconcileCandidate) => c.refund_id ?? c.order_id
  return a.at.getTime() - b.at.getTime() || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)
}

/**
 * What became of one candidate's own ledger entry: written now, found already there, nothing to write, or written
 * earlier in the same run by the refund sweep of another candidate of its order (already counted as applied).
 */
export type ReconcileStatus = "posted" | "replayed" | "skipped" | "posted_by_sweep"

export interface ReconcileFailure {
  kind: ReconcileKind
  order_id: string
  refund_id: string | null
  /** A LoyaltyError code (NOT_FOUND, RULES_UNAVAILABLE, …), Medusa's error type upper-cased, or UNEXPECTED. */
  code: string
  message: string
}

export interface ReconcileWindow {
  /** Inclusive lower bound of the event time. */
  since: Date
  /** Exclusive upper bound of the event time. */
  until: Date
}

export interface ReconcileApplied {
  accruals: number
  reversals: number
  clawbacks: number
}

export interface ReconcileResult {
  since: string
  until: string
  /** Most candidates one run looks at; null = no limit. */
  limit: number | null
  /** Candidates looked at (missed events found). */
  scanned: number
  /** Entries written by this run, by kind (a refund sweep may write entries for refunds of the same order found later). */
  applied: ReconcileApplied
  /** Candidates whose entry existed by the time they were applied (an event handler or another run was faster). */
  already_seen: number
  /** Candidates the service decided to write nothing for (e.g. a refund of an order whose cancel took everything back). */
  skipped: number
  failures: ReconcileFailure[]
  /** false when `limit` stopped the run before the window was exhausted: run again to continue. */
  complete: boolean
  /** Redemption codes an order used though the order's event was lost, settled by this run (absent: not swept). */
  redemptions_settled?: number
  /**
   * Referral awards of the window whose events were lost: first orders of referred members awarded, canceled first
   * orders' awards taken back (absent: not swept, e.g. the referral capability is not installed).
   */
  referrals?: { awarded: number; reversed: number }
}


/**
 * The window of a run: `since` defaults to `default_days` before `until`, `until` to `now`. Invariant: since < until,
 * both valid dates; otherwise INVALID_INPUT naming the field.
 */
export function reconcileWindow(input: { since?: Date; until?: Date; now: Date; default_days: number }): ReconcileWindow {
  const until = input.until ?? input.now
  const since = input.since ?? new Date(until.getTime() - input.default_days * DAY_MS)
  for (const [field, date] of [["until", until], ["since", since]] as const) {
    if (Number.isNaN(date.getTime())) {
      throw new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, `${field} is not a valid date`, { field })
    }
  }
  if (since.getTime() >= until.getTime()) {
    throw new LoyaltyError(
      LoyaltyErrorCodes.INVALID_INPUT,
      `since (${since.toISOString()}) must be before until (${until.toISOString()})`,
      { field: "since" }
    )
  }
  return { since, until }
}

/** An empty result for `window`; `complete` until a limit says otherwise. */
export function emptyReconcileResult(window: ReconcileWindow, limit: number | null): ReconcileResult {
  return {
    since: window.since.toISOString(),
    until: window.until.toISOString(),
    limit,
    scanned: 0,
    applied: { accruals: 0, reversals: 0, clawbacks: 0 },
    already_seen: 0,
    skipped: 0,
    failures: [],
    complete: true,
  }
}

/**
 * Counts one candidate's own status into `result` (entries written by the same call for other refunds are counted
 * with `countApplied`). A "posted" candidate is an applied entry of its kind.
 */
export function tallyCandidate(result: ReconcileResult, kind: ReconcileKind, status: ReconcileStatus): void {
  result.scanned++
  if (status === "posted") countApplied(result, kind)
  else if (status === "replayed") result.already_seen++
  else if (status === "skipped") result.skipped++
}

/** One entry written by the run. */
export function countApplied(result: ReconcileResult, kind: ReconcileKind): void {
  result.applied[APPLIED_FIELD[kind]]++
}

/** Records a candidate whose service call threw: the run goes on with the next one. */
export function tallyFailure(result: ReconcileResult, candidate: ReconcileCandidate, error: unknown): void {
  result.scanned++
  result.failures.push({
    kind: candidate.kind,
    order_id: candidate.order_id,
    refund_id: candidate.refund_id,
    code: failureCode(error),
    message: messageOf(error),
  })
}

/** A stable code for an error of any origin: ours, Medusa's (`type`), or UNEXPECTED. */
export function failureCode(error: unknown): string {
  if (isLoyaltyError(error)) return error.code
  const type = (error as { type?: unknown } | null)?.type
  return typeof type === "string" && /^[a-z_]+$/i.test(type) ? type.toUpperCase() : "UNEXPECTED"
}

function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message
  return typeof message === "string" ? message : String(error)
}

/** The CLI's text report: one summary line, then one line per failure. */
export function formatReconcileReport(r: ReconcileResult): string {
  const lines = [
    `reconcile ${r.since} .. ${r.until}${r.limit === null ? "" : ` (limit ${r.limit})`}`,
    `  missed events found: ${r.scanned}`,
    `  applied: ${r.applied.accruals} accrual(s), ${r.applied.reversals} reversal(s), ${r.applied.clawbacks} clawback(s)`,
    `  already seen: ${r.already_seen}, nothing to write: ${r.skipped}, failed: ${r.failures.length}`,
  ]
  if (r.redemptions_settled !== undefined) lines.push(`  redemption codes used by an order, settled: ${r.redemptions_settled}`)
  if (r.referrals) lines.push(`  referral awards: ${r.referrals.awarded} awarded, ${r.referrals.reversed} taken back`)
  for (const f of r.failures) {
    lines.push(`  FAILED ${f.kind} order ${f.order_id}${f.refund_id ? ` refund ${f.refund_id}` : ""}: ${f.code} ${f.message}`)
  }
  if (!r.complete) lines.push("  stopped at the limit: run again to continue")
  return lines.join("\n")
}

const APPLIED_FIELD: Record<ReconcileKind, keyof ReconcileApplied> = { accrual: "accruals", reversal: "reversals", clawback: "clawbacks" }

/** Reconcile defaults: the route and the CLI look 30 days back; the hourly job 7 days, skipping the last minutes. */
export const ReconcileDefaults = {
  days: 30,
  job: { days: 7, settle_minutes: 10, limit: 5000 },
} as const
