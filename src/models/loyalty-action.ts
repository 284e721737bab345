import { Column, Entity, PrimaryColumn } from "typeorm"

/**
 * An earning action reported for a member (signup, birthday, referral, or a custom type such as a review), stored
 * once per (type, reference) with what was decided: `awarded` (its ledger entry is `entry_id`), `refused` (every
 * fired rule had reached a limit: `reasons`), or `no_rule` (no action rule applied). Immutable.
 */
@Entity("loyalty_action")
export class LoyaltyAction {
  @PrimaryColumn({ type: "text" })
  id!: string

  @Column({ type: "text" })
  customer_id!: string

  @Column({ type: "text" })
  type!: string

  @Column({ type: "text" })
  reference!: string

  @Column({ type: "timestamptz" })
  occurred_at!: Date

  @Column({ type: "jsonb" })
  properties!: Record<string, string | number | boolean | null>

  /** What the action means (customer, type, reference, occurred_at as given, properties): a replay has the same hash. */
  @Column({ type: "text" })
  payload_hash!: string

  /** awarded | refused | no_rule */
  @Column({ type: "text" })
  status!: string

  @Column({ type: "integer" })
  points!: number

  @Column({ type: "jsonb" })
  rule_names!: string[]

  @Column({ type: "text", nullable: true })
  rulebook_version!: string | null

  /** Why rules gave nothing: limit refusals `{ rule, limit, max, period, message }`, or a plain message. */
  @Column({ type: "jsonb" })
  reasons!: Array<{ rule?: string; limit?: string; max?: number; period?: string; message: string }>

  @Column({ type: "text", nullable: true })
  entry_id!: string | null

  @Column({ type: "text", nullable: true })
  actor_id!: string | null

  @Column({ type: "timestamptz" })
  created_at!: Date
}
