/** loyalty_expiry_reminder: one row per member and expiry date reminded (append-only). */
import type { Knex } from "./knex"

export type ReminderRow = { customer_id: string; expires_on: string; points: number; expires_at: Date }

/** Records the reminder; false when this member was already reminded of this expiry date. */
export async function insertReminder(knex: Knex, row: ReminderRow): Promise<boolean> {
  const { rows } = await knex.raw(
    `INSERT INTO loyalty_expiry_reminder (customer_id, expires_on, points, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT DO NOTHING RETURNING customer_id`,
    [row.customer_id, row.expires_on, row.points, row.expires_at]
  )
  return rows.length > 0
}
