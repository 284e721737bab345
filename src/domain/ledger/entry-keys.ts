/**
 * Every idempotency key the ledger is written under, for both adapters. One key per business event: a redelivered
 * event, a retried request or a second run of a job finds the entry its first attempt wrote (the key's unique index
 * decides), so nothing is counted twice. A key is forever: changing one's spelling would let events that were
 * already recorded under the old spelling be recorded again.
 */
export const EntryKeys = {
  /** An order's points (order.placed). */
  accrual: (order_id: string) => `order:${order_id}:accrual`,
  /** An order's cancel: everything it earned comes back, or a 0-point tombstone before its accrual. */
  reversal: (order_id: string) => `order:${order_id}:cancel`,
  /** One refund of an order (a refund, or a received return refunded). */
  clawback: (refund_id: string) => `refund:${refund_id}`,
  /** An order's pending points becoming available. */
  activation: (order_id: string) => `order:${order_id}:activation`,
  /** A pending award (an action award tied to an order) becoming available, once per award. */
  awardActivation: (award_key: string) => `${award_key}:activation`,
  /** An admin's correction, under the client's Idempotency-Key. */
  adjustment: (client_key: string) => `adjustment:${client_key}`,
  /** Points exchanged for a code, under the member's client key. */
  redemption: (customer_id: string, client_key: string) => `redemption:${customer_id}:${client_key}`,
  /** An unused code's points given back (expired, or a balance left negative). */
  redemptionVoid: (redemption_id: string) => `redemption_void:${redemption_id}`,
  /** One expiry per member and UTC day of the run: a second run the same day is a replay. */
  expiry: (customer_id: string, now: Date) => `expiry:${customer_id}:${now.toISOString().slice(0, 10)}`,
  /** An earning action's award: the same type + reference earns once, ever. */
  action: (type: string, reference: string) => `action:${type}:${reference}`,
  /** An action's award taken back (a referral whose first order was canceled). */
  actionReversal: (type: string, reference: string) => `action:${type}:${reference}:reversed`,
  /** The undoing of an entry by a failed workflow (Medusa v2's compensation). */
  compensation: (entry_id: string) => `compensation:${entry_id}`,
} as const
