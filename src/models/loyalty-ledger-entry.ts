import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from "typeorm"

/**
 * An immutable ledger line. Never updated or deleted (a database trigger refuses it): corrections are new entries.
 * `points` is signed from the member's point of view and changes the available balance; `pending_delta` changes
 * the pending points (two-phase accruals). `balance_after` / `pending_after` are the account's figures once this
 * entry applied, so any prefix of the ledger can be checked against the cached balance.
 * `idempotency_key` is derived from the business event (e.g. `order:{id}:accrual`) and is UNIQUE: a redelivered
 * event finds its entry instead of writing a second one. No `updated_at`: the row never changes.
 */
@Entity("loyalty_ledger_entry")
export class LoyaltyLedgerEntry {
  @PrimaryColumn({ type: "text" })
  id!: string

  /** Append order, assigned by the database; the balance_after chain is checked in this order. */
  @Column({ type: "bigint", insert: false, update: false })
  seq!: string

  @Index("idx_loyalty_ledger_entry_account")
  @Column({ type: "text" })
  account_id!: string

  /** Indexed with created_at (migration 1764201600000, INCLUDE columns: not expressible as a decorator). */
  @Column({ type: "text" })
  customer_id!: string

  @Column({ type: "text" })
  kind!: string

  @Column({ type: "integer" })
  points!: number

  @Column({ type: "integer" })
  balance_after!: number

  /** Change to the pending (not yet available) points; 0 for most entries. */
  @Column({ type: "integer", default: 0 })
  pending_delta!: number

  @Column({ type: "integer", default: 0 })
  pending_after!: number

  @Column({ type: "text", nullable: true })
  order_id!: string | null

  @Column({ type: "text", nullable: true })
  source_id!: string | null

  @Column({ type: "jsonb", default: [] })
  rule_names!: string[]

  @Column({ type: "text", nullable: true })
  rulebook_version!: string | null

  @Column({ type: "text", nullable: true })
  reason!: string | null

  @Column({ type: "text", nullable: true })
  actor_id!: string | null

  @Index("uq_loyalty_ledger_entry_idempotency_key", { unique: true })
  @Column({ type: "text" })
  idempotency_key!: string

  @Column({ type: "text" })
  payload_hash!: string

  @Column({ type: "jsonb", default: {} })
  details!: Record<string, unknown>

  @CreateDateColumn({ type: "timestamptz" })
  created_at!: Date
}
