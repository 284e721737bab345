import type { ReconcileResult } from "../domain/ledger/reconcile"

/**
 * What the job commands call on a Medusa 1 store's `loyaltyJobsService` (src/services/loyalty-jobs.ts), typed by what
 * they print. The CLI names no v1 service: its source is also compiled into the Medusa 2 package (v2/scripts/sync-core.mjs),
 * where those services do not exist. tests/unit/cli-jobs-port.test.ts checks the v1 service still fits.
 */
export interface JobsPort {
  expire(now: Date): Promise<{
    expiry: { enabled: boolean; points_expired: number; entries_posted: number; accounts_checked: number }
    redemptions: unknown
    reminders: { enabled: boolean; emitted: number; accounts_checked: number }
  }>
  activate(now: Date): Promise<{ points_activated: number; entries_posted: number; orders_checked: number; awards_checked: number }>
  birthdays(now: Date): Promise<{ local_date: string; candidates: number; awarded: number; already: number; recent_change: number; refused: number; no_rule: number; failed: number }>
  tiers(now: Date): Promise<{ accounts_checked: number; upgraded: number; downgraded: number; unchanged: number }>
  reconcile(input: { since: Date; until: Date; limit: number | null }, now: Date): Promise<ReconcileResult>
}

/** The registration name of the jobs service in a Medusa 1 store's container. */
export const JOBS_SERVICE = "loyaltyJobsService"
