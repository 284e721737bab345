import { BeforeInsert, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from "typeorm"
import { generateEntityId } from "@medusajs/medusa"

/**
 * One loyalty account per customer. `points_balance` and `points_lifetime` are caches of the ledger: they change
 * only in the transaction that appends the entry, under a row lock (see LoyaltyLedgerService.post).
 * No relation to Medusa's Customer entity on purpose: plugin entities that reference core entities break
 * Medusa's migration generation, so `customer_id` is a plain indexed column.
 */
@Entity("loyalty_account")
export class LoyaltyAccount {
  @PrimaryColumn({ type: "text" })
  id!: string

  @Index("uq_loyalty_account_customer", { unique: true })
  @Column({ type: "text" })
  customer_id!: string

  @Column({ type: "integer", default: 0 })
  points_balance!: number

  /** bigint (migration 1764460800000); pg returns int8 as a string, read back as a number (the ledger keeps it safe). */
  @Column({ type: "bigint", default: 0, transformer: { to: (v: number) => v, from: (v: string | number | null) => (v === null ? v : Number(v)) } })
  points_lifetime!: number

  /** Points earned but not yet available (program setting pending_days > 0). */
  @Column({ type: "integer", default: 0 })
  points_pending!: number

  @Column({ type: "text", nullable: true })
  tier!: string | null

  /** When the member was first found below `tier` during a downgrade grace period; null otherwise. */
  @Column({ type: "timestamptz", nullable: true })
  tier_below_since!: Date | null

  @CreateDateColumn({ type: "timestamptz" })
  created_at!: Date

  @UpdateDateColumn({ type: "timestamptz" })
  updated_at!: Date

  @BeforeInsert()
  private beforeInsert(): void {
    this.id = this.id ?? generateEntityId("", "lacc")
  }
}
