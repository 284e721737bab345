import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from "typeorm"

/**
 * One tier change of a member (append-only, like the ledger: a database trigger refuses UPDATE and DELETE).
 * `from_tier` is null for a member's first tier. `reason` says what triggered the evaluation and what it decided.
 */
@Entity("loyalty_tier_change")
export class LoyaltyTierChange {
  @PrimaryColumn({ type: "text" })
  id!: string

  @Index("idx_loyalty_tier_change_customer")
  @Column({ type: "text" })
  customer_id!: string

  @Column({ type: "text", nullable: true })
  from_tier!: string | null

  @Column({ type: "text" })
  to_tier!: string

  @Column({ type: "text" })
  reason!: string

  @Column({ type: "text", nullable: true })
  rulebook_version!: string | null

  @CreateDateColumn({ type: "timestamptz" })
  created_at!: Date
}
