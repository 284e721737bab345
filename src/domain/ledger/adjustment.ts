/**
 * Corrections: an admin's signed adjustment, and the undoing of an entry by a failed workflow. Both are new entries:
 * the ledger never changes what it recorded.
 */
import { EntryKeys } from "./entry-keys"
import type { EntryDraft } from "./ledger"
import type { NegativeBalancePolicy } from "../rules/program"

/**
 * An admin's adjustment under the client's Idempotency-Key: an exact retry replays, another body under the same key
 * conflicts. A debit may take the balance below zero only when the program allows negative balances; otherwise it
 * is refused (INSUFFICIENT_POINTS), never clamped: the admin asked for an exact figure.
 */
export function adjustmentEntryDraft(a: {
  customer_id: string
  points: number
  reason: string
  actor_id: string | null
  client_key: string
  negative_balance: NegativeBalancePolicy
}): EntryDraft {
  return {
    customer_id: a.customer_id,
    kind: "adjustment",
    points: a.points,
    reason: a.reason,
    actor_id: a.actor_id,
    idempotency_key: EntryKeys.adjustment(a.client_key),
    floor: a.negative_balance === "allow" ? "allow" : "refuse",
  }
}

/**
 * The exact opposite of a stored entry (balance and pending), once per entry: what a failed Medusa v2 workflow
 * posts to undo an entry an earlier step wrote.
 */
export function compensationEntryDraft(entry: { id: string; customer_id: string; kind: string; points: number; pending_delta: number }): EntryDraft {
  return {
    customer_id: entry.customer_id,
    kind: "adjustment",
    // `|| 0`: the opposite of 0 must not be stored as -0.
    points: -entry.points || 0,
    pending_points: -entry.pending_delta || 0,
    idempotency_key: EntryKeys.compensation(entry.id),
    reason: `workflow compensation of ${entry.id} (${entry.kind})`,
    details: { compensates: entry.id },
  }
}
