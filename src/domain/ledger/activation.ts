import type { EntryDraft } from "./ledger"
import type { SpendableOn } from "../rules/program"
import { DAY_MS } from "../shared/time"

/**
 * When an order's pending points become available. The conditions are those the accrual was awarded under (stored
 * on it), so a later program change never changes the fate of an order already placed:
 * - pending_days > 0: everything in the order has gone out, and that many days have passed since;
 * - spendable_on "captured": the order's payment is captured.
 * With both, both must hold; the points activate when the later of the two does.
 */
export interface ActivationFacts {
  /** The pending period the accrual was awarded under. */
  pending_days: number
  /** The spendable_on the accrual was awarded under. */
  spendable_on: SpendableOn
  /** When everything in the order went out (see LoyaltyActivationService); null while something has not. */
  gone_out_at: Date | null
  /** When the order's payment was captured; null while it is not. */
  captured_at: Date | null
}

export type ActivationCondition = "fulfillment" | "pending_period" | "capture"

export type ActivationDecision =
  | { due: true; /** The moment the last condition came true. */ eligible_since: Date }
  | { due: false; waiting_for: ActivationCondition }


export function activationDecision(f: ActivationFacts, now: Date): ActivationDecision {
  const since: number[] = []
  if (f.pending_days > 0) {
    if (!f.gone_out_at) return { due: false, waiting_for: "fulfillment" }
    const over_at = f.gone_out_at.getTime() + f.pending_days * DAY_MS
    if (over_at > now.getTime()) return { due: false, waiting_for: "pending_period" }
    since.push(over_at)
  }
  if (f.spendable_on === "captured") {
    if (!f.captured_at) return { due: false, waiting_for: "capture" }
    since.push(f.captured_at.getTime())
  }
  // Neither condition (an accrual pending under no setting, e.g. written by hand): nothing to wait for.
  return { due: true, eligible_since: new Date(since.length ? Math.max(...since) : now.getTime()) }
}

/** The activation entry's reason, naming what the points waited for. */
export function activationReason(f: Pick<ActivationFacts, "pending_days" | "spendable_on">): string {
  const parts: string[] = []
  if (f.pending_days > 0) parts.push(`pending period of ${f.pending_days} days over`)
  if (f.spendable_on === "captured") parts.push("payment captured")
  return parts.join(" and ") || "pending points released"
}

/**
 * An action award tied to an order (a referral award on the referred member's first order) that waits like that
 * order's own points would: stored in the award entry's details, so activation and take-back decide from what the
 * award was made under. `reversal_key`: the key of the entry that would take the award back (its existence means
 * there is nothing left to activate).
 */
export interface PendingAwardTerms {
  order_id: string
  pending_days: number
  spendable_on: SpendableOn
  reversal_key: string
}


/**
 * The activation entry (both adapters): `points` leave pending and become available, with what they waited for in
 * details. An order's own points carry `order_id`; a pending award (`award`) is named by its entry instead
 * (`source_id`, `details.activation_of`), its order only in details, so the order's entries stay its member's.
 */
export function activationEntryDraft(a: {
  customer_id: string
  idempotency_key: string
  points: number
  facts: ActivationFacts
  eligible_since: Date
  order_id?: string
  award?: { entry_id: string; order_id: string; reference: string }
}): EntryDraft {
  const { facts } = a
  return {
    customer_id: a.customer_id,
    kind: "activation",
    points: a.points,
    pending_points: -a.points,
    idempotency_key: a.idempotency_key,
    ...(a.order_id ? { order_id: a.order_id } : {}),
    ...(a.award ? { source_id: a.award.entry_id } : {}),
    reason: a.award ? `${activationReason(facts)}: ${a.award.reference}` : activationReason(facts),
    details: {
      ...(a.award ? { activation_of: a.award.entry_id, order_id: a.award.order_id } : {}),
      pending_days: facts.pending_days,
      spendable_on: facts.spendable_on,
      eligible_since: a.eligible_since.toISOString(),
      gone_out_at: facts.gone_out_at?.toISOString() ?? null,
      captured_at: facts.captured_at?.toISOString() ?? null,
    },
  }
}
