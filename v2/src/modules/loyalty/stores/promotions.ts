/** loyalty_promotion: the member promotions this plugin created in v2 (the only v2 promotions it ever changes). */
import type { Knex } from "./knex"
import { newId } from "./knex"

export type TrackedPromotionRow = {
  id: string
  code: string
  promotion_id: string | null
  customer_group_id: string
  definition_hash: string
  rulebook_version: string
  disabled_at: Date | null
  created_at: Date
  updated_at: Date
}

export type TrackedPromotion = Pick<TrackedPromotionRow, "code" | "promotion_id" | "customer_group_id" | "definition_hash" | "rulebook_version" | "disabled_at">

/** Every tracked promotion, by code. */
export async function trackedPromotions(knex: Knex): Promise<TrackedPromotionRow[]> {
  const { rows } = await knex.raw(`SELECT * FROM loyalty_promotion ORDER BY code`)
  return rows
}

/** Inserts or updates (by code) what reconcile made of a promotion. */
export async function trackPromotion(knex: Knex, row: TrackedPromotion): Promise<void> {
  await knex.raw(
    `INSERT INTO loyalty_promotion (id, code, promotion_id, customer_group_id, definition_hash, rulebook_version, disabled_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (code) DO UPDATE SET promotion_id = EXCLUDED.promotion_id, customer_group_id = EXCLUDED.customer_group_id,
       definition_hash = EXCLUDED.definition_hash, rulebook_version = EXCLUDED.rulebook_version,
       disabled_at = EXCLUDED.disabled_at, updated_at = now()`,
    [newId("lpromo"), row.code, row.promotion_id, row.customer_group_id, row.definition_hash, row.rulebook_version, row.disabled_at]
  )
}
