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

/** A pending action award tied to an order (the core's PendingAwardTerms stored in its details). */
export type PendingAwardRow = {
  entry_id: string
  customer_id: string
  idempotency_key: string
  /** The points still pending on the award. */
  points: number
  /** The entry's reason: what the award was for ("referral referrer:cus_…"). */
  reference: string
  terms: { order_id: string; pending_days: number; spendable_on: string; reversal_key: string }
}

/**
 * Pending action awards (all, those of one order, or one entry): posted pending, neither activated
 * (EntryKeys.awardActivation, spelled in SQL) nor taken back (their terms' reversal_key). Whether their order was
 * canceled is the caller's to read (the module cannot read orders).
 */
export async function pendingAwards(knex: Knex, by: { order_id: string | null; entry_id: string | null }): Promise<PendingAwardRow[]> {
  const { rows } = await knex.raw(
    `SELECT e.id AS entry_id, e.customer_id, e.idempotency_key, e.pending_delta AS points, e.reason AS reference, e.details->'pending' AS terms
       FROM loyalty_ledger_entry e
      WHERE e.kind = 'action' AND e.pending_delta > 0 AND e.details->'pending' IS NOT NULL
        AND (?::text IS NULL OR e.details->'pending'->>'order_id' = ?) AND (?::text IS NULL OR e.id = ?)
        AND NOT EXISTS (SELECT 1 FROM loyalty_ledger_entry x
                         WHERE x.idempotency_key IN (e.idempotency_key || ':activation', e.details->'pending'->>'reversal_key'))
      ORDER BY e.seq`,
    [by.order_id, by.order_id, by.entry_id, by.entry_id]
  )
  return rows.map((r: PendingAwardRow) => ({ ...r, points: Number(r.points) }))
}

/**
 * Referred members whose referred side has no `referral` action recorded (the reconcile's candidates; the core's
 * referralReference spelled in SQL): whatever it decided (awarded, refused, no rule), a recorded action is not missed.
 */
export async function referredWithoutAwards(knex: Knex): Promise<string[]> {
  const { rows } = await knex.raw(
    `SELECT r.referred_id FROM loyalty_referral r
      WHERE NOT EXISTS (SELECT 1 FROM loyalty_action a WHERE a.type = 'referral' AND a.reference = 'referred:' || r.referred_id)
      ORDER BY r.referred_id`
  )
  return rows.map((r: { referred_id: string }) => r.referred_id)
}

/** Orders whose referral awards are in the ledger and not all taken back (EntryKeys.actionReversal spelled in SQL). */
export async function ordersWithUnreversedReferralAwards(knex: Knex): Promise<string[]> {
  const { rows } = await knex.raw(
    `SELECT DISTINCT e.details->'action'->'properties'->>'order_id' AS order_id FROM loyalty_ledger_entry e
      WHERE e.kind = 'action' AND e.idempotency_key LIKE 'action:referral:%' AND e.idempotency_key NOT LIKE '%:reversed'
        AND e.details->'action'->'properties'->>'order_id' IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM loyalty_ledger_entry x WHERE x.idempotency_key = e.idempotency_key || ':reversed')
      ORDER BY 1`
  )
  return rows.map((r: { order_id: string }) => r.order_id)
}
