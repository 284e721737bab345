import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from "typeorm"

/**
 * Points exchanged for a single-use Medusa discount code. Two-phase, like a pending transfer: the points leave the
 * balance when the code is issued (`reserved`, a `redemption` ledger entry); an order using the code `settled` it;
 * a code that expires unused is `voided` and its points come back (a `redemption_void` entry).
 */
@Entity("loyalty_redemption")
export class LoyaltyRedemption {
  @PrimaryColumn({ type: "text" })
  id!: string

  @Index("idx_loyalty_redemption_customer")
  @Column({ type: "text" })
  customer_id!: string

  @Column({ type: "integer" })
  points!: number

  @Column({ type: "integer" })
  amount_minor!: number

  @Column({ type: "text" })
  currency_code!: string

  @Column({ type: "text" })
  region_id!: string

  @Column({ type: "text" })
  discount_id!: string

  @Index("uq_loyalty_redemption_discount_code", { unique: true })
  @Column({ type: "text" })
  discount_code!: string

  @Column({ type: "text", nullable: true })
  cart_id!: string | null

  /** reserved | settled | voided */
  @Column({ type: "text" })
  status!: string

  @Column({ type: "timestamptz" })
  expires_at!: Date

  @Index("uq_loyalty_redemption_idempotency_key", { unique: true })
  @Column({ type: "text" })
  idempotency_key!: string

  @Column({ type: "text" })
  payload_hash!: string

  @Column({ type: "text", nullable: true })
  order_id!: string | null

  @Column({ type: "timestamptz", nullable: true })
  settled_at!: Date | null

  @Column({ type: "timestamptz", nullable: true })
  voided_at!: Date | null

  @CreateDateColumn({ type: "timestamptz" })
  created_at!: Date

  @UpdateDateColumn({ type: "timestamptz" })
  updated_at!: Date
}
