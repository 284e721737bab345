import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from "typeorm"

/**
 * One row per member promotion the plugin manages: the Medusa discount and customer group it created for a
 * promotion code of the rule files. This table is how the plugin knows which discounts are its own: a discount
 * with a promotion's code that is not tracked here belongs to someone else and is never touched.
 */
@Entity("loyalty_promotion")
export class LoyaltyPromotion {
  @PrimaryColumn({ type: "text" })
  id!: string

  @Index("uq_loyalty_promotion_code", { unique: true })
  @Column({ type: "text" })
  code!: string

  /** The Medusa discount; null while it cannot be created yet (a store without a region for it). */
  @Column({ type: "text", nullable: true })
  discount_id!: string | null

  @Column({ type: "text" })
  customer_group_id!: string

  /** sha256 of the canonical JSON of the promotion's definition as last reconciled. */
  @Column({ type: "text" })
  definition_hash!: string

  @Column({ type: "text" })
  rulebook_version!: string

  /** Set when the promotion left the rule files (its discount is disabled); null while it is live. */
  @Column({ type: "timestamptz", nullable: true })
  disabled_at!: Date | null

  @CreateDateColumn({ type: "timestamptz" })
  created_at!: Date

  @UpdateDateColumn({ type: "timestamptz" })
  updated_at!: Date
}
