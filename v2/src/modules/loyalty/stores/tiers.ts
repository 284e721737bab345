/** loyalty_tier_change: the append-only tier history (one row per change, written in the posting's transaction). */
import type { Knex } from "./knex"
import { newId } from "./knex"

export type TierChangeRow = {
  id: string
  customer_id: string
  from_tier: string | null
  to_tier: string
  reason: string
  rulebook_version: string | null
  created_at: Date
}

export type NewTierChange = Pick<TierChangeRow, "customer_id" | "from_tier" | "to_tier" | "reason" | "rulebook_version">

export async function insertTierChange(knex: Knex, change: NewTierChange): Promise<void> {
  await knex.raw(`INSERT INTO loyalty_tier_change (id, customer_id, from_tier, to_tier, reason, rulebook_version) VALUES (?, ?, ?, ?, ?, ?)`, [
    newId("ltch"),
    change.customer_id,
    change.from_tier,
    change.to_tier,
    change.reason,
    change.rulebook_version,
  ])
}

/** A customer's tier changes, oldest first. */
export async function tierHistory(knex: Knex, customer_id: string): Promise<TierChangeRow[]> {
  const { rows } = await knex.raw(
    `SELECT id, customer_id, from_tier, to_tier, reason, rulebook_version, created_at FROM loyalty_tier_change
      WHERE customer_id = ? ORDER BY created_at, id`,
    [customer_id]
  )
  return rows
}
