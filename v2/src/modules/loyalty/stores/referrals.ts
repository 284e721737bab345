/** loyalty_referral_code (each member's code) and loyalty_referral (the code a member attached, once). */
import type { Knex } from "./knex"

export type ReferralRow = { referred_id: string; referrer_id: string; code: string; attached_at: Date }

/** Stores `code` as `customer_id`'s unless either is stored already; answers the member's stored code (or null). */
export async function rememberCode(knex: Knex, customer_id: string, code: string): Promise<string | null> {
  await knex.raw(`INSERT INTO loyalty_referral_code (code, customer_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, [code, customer_id])
  const { rows } = await knex.raw(`SELECT code FROM loyalty_referral_code WHERE customer_id = ?`, [customer_id])
  return rows[0]?.code ?? null
}

/** The member whose code this is, or null. */
export async function ownerOfCode(knex: Knex, code: string): Promise<string | null> {
  const { rows } = await knex.raw(`SELECT customer_id FROM loyalty_referral_code WHERE code = ?`, [code])
  return rows[0]?.customer_id ?? null
}

/** The code a member attached, or null. */
export async function findReferral(knex: Knex, referred_id: string): Promise<ReferralRow | null> {
  const { rows } = await knex.raw(`SELECT referred_id, referrer_id, code, attached_at FROM loyalty_referral WHERE referred_id = ?`, [referred_id])
  return rows[0] ?? null
}

/** Inserts the attachment; null when the member has one already (a concurrent attach won). */
export async function insertReferral(knex: Knex, row: ReferralRow): Promise<ReferralRow | null> {
  const { rows } = await knex.raw(
    `INSERT INTO loyalty_referral (referred_id, referrer_id, code, attached_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (referred_id) DO NOTHING RETURNING referred_id, referrer_id, code, attached_at`,
    [row.referred_id, row.referrer_id, row.code, row.attached_at]
  )
  return rows[0] ?? null
}
