/**
 * loyalty_redemption (points turned into a personal promotion code) and loyalty_redemption_use (a checkout's claim
 * of a code, unique by code). Decisions are the core's (domain/ledger/redemption*.ts).
 */
import { claimRefusal, type RedemptionStatus } from "../../../core/domain/ledger/redemption-claim"
import type { Knex, Page } from "./knex"
import { newId } from "./knex"

export type RedemptionRow = {
  id: string
  customer_id: string
  points: number
  amount_minor: number
  currency_code: string
  region_id: string | null
  code: string
  promotion_id: string | null
  cart_id: string | null
  status: RedemptionStatus
  expires_at: Date
  order_id: string | null
  settled_at: Date | null
  voided_at: Date | null
  idempotency_key: string
  payload_hash: string
  created_at: Date
  updated_at: Date
}

export type RedemptionUseRow = {
  id: string
  code: string
  redemption_id: string
  cart_id: string
  customer_id: string | null
  order_id: string | null
  created_at: Date
}

export type NewRedemption = Pick<
  RedemptionRow,
  "id" | "customer_id" | "points" | "amount_minor" | "currency_code" | "region_id" | "code" | "promotion_id" | "cart_id" | "expires_at" | "idempotency_key" | "payload_hash"
>

function redemptionRow(row: any): RedemptionRow {
  return { ...row, points: Number(row.points), amount_minor: Number(row.amount_minor), expires_at: new Date(row.expires_at) }
}

export async function insertRedemption(knex: Knex, r: NewRedemption): Promise<RedemptionRow> {
  const { rows } = await knex.raw(
    `INSERT INTO loyalty_redemption (id, customer_id, points, amount_minor, currency_code, region_id, code, promotion_id,
       cart_id, status, expires_at, idempotency_key, payload_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'reserved', ?, ?, ?) RETURNING *`,
    [r.id, r.customer_id, r.points, r.amount_minor, r.currency_code, r.region_id, r.code, r.promotion_id, r.cart_id, r.expires_at, r.idempotency_key, r.payload_hash]
  )
  return redemptionRow(rows[0])
}

/** What a redemption read may ask for; every given field must hold (an empty filter: every redemption). */
export type RedemptionFilter = {
  customer_id?: string
  idempotency_key?: string
  code?: string
  codes?: readonly string[]
  status?: RedemptionStatus
  expires_at_or_before?: Date
  has_promotion?: boolean
}

/** The redemptions matching `filter`, oldest first. */
export async function findRedemptions(knex: Knex, filter: RedemptionFilter): Promise<RedemptionRow[]> {
  const where: string[] = ["TRUE"]
  const bindings: unknown[] = []
  const add = (condition: string, ...values: unknown[]) => {
    where.push(condition)
    bindings.push(...values)
  }
  if (filter.customer_id !== undefined) add(`customer_id = ?`, filter.customer_id)
  if (filter.idempotency_key !== undefined) add(`idempotency_key = ?`, filter.idempotency_key)
  if (filter.code !== undefined) add(`code = ?`, filter.code)
  if (filter.codes !== undefined) add(`code = ANY(?)`, [...filter.codes])
  if (filter.status !== undefined) add(`status = ?`, filter.status)
  if (filter.expires_at_or_before !== undefined) add(`expires_at <= ?`, filter.expires_at_or_before)
  if (filter.has_promotion !== undefined) add(filter.has_promotion ? `promotion_id IS NOT NULL` : `promotion_id IS NULL`)
  const { rows } = await knex.raw(`SELECT * FROM loyalty_redemption WHERE ${where.join(" AND ")} ORDER BY created_at, id`, bindings)
  return rows.map(redemptionRow)
}

/** The redemptions whose v2 promotion is one of `promotion_ids` or whose code is one of `codes`, oldest first. */
export async function findRedemptionsByPromotionsOrCodes(
  knex: Knex,
  refs: { promotion_ids: readonly string[]; codes: readonly string[] }
): Promise<RedemptionRow[]> {
  const { rows } = await knex.raw(
    `SELECT * FROM loyalty_redemption WHERE promotion_id = ANY(?) OR code = ANY(?) ORDER BY created_at, id`,
    [[...refs.promotion_ids], [...refs.codes]]
  )
  return rows.map(redemptionRow)
}

/** One redemption under its row lock (a claim, a settlement and an expiry void take turns), null when missing. */
export async function lockRedemption(knex: Knex, id: string): Promise<RedemptionRow | null> {
  const { rows } = await knex.raw(`SELECT * FROM loyalty_redemption WHERE id = ? FOR UPDATE`, [id])
  return rows[0] ? redemptionRow(rows[0]) : null
}

/** A customer's redemptions, newest first, and their count. */
export async function pageRedemptions(knex: Knex, customer_id: string, page: Page): Promise<[RedemptionRow[], number]> {
  const { rows } = await knex.raw(`SELECT * FROM loyalty_redemption WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, [
    customer_id,
    page.limit,
    page.offset,
  ])
  const { rows: counted } = await knex.raw(`SELECT count(*)::int AS n FROM loyalty_redemption WHERE customer_id = ?`, [customer_id])
  return [rows.map(redemptionRow), counted[0].n]
}

/**
 * The member's unused codes, newest first, locked (a code locked by another transaction — being settled, claimed or
 * expired — is skipped, never waited for): reserved, and no checkout claimed it (no use row), so a code an order took
 * whose settlement is still on its way stays, like a settled one.
 */
export async function lockUnusedNewestFirst(knex: Knex, customer_id: string): Promise<RedemptionRow[]> {
  const { rows } = await knex.raw(
    `SELECT r.* FROM loyalty_redemption r
      WHERE r.customer_id = ? AND r.status = 'reserved' AND NOT EXISTS (SELECT 1 FROM loyalty_redemption_use u WHERE u.code = r.code)
      ORDER BY r.created_at DESC, r.id DESC FOR UPDATE OF r SKIP LOCKED`,
    [customer_id]
  )
  return rows.map(redemptionRow)
}

/** → voided as of `voided_at` (the database clock without one): an expiry, or the redeem workflow's compensation. */
export async function voidRedemption(knex: Knex, id: string, voided_at?: Date): Promise<RedemptionRow | null> {
  const { rows } = await knex.raw(
    `UPDATE loyalty_redemption SET status = 'voided', voided_at = COALESCE(?::timestamptz, now()), updated_at = now() WHERE id = ? RETURNING *`,
    [voided_at ?? null, id]
  )
  return rows[0] ? redemptionRow(rows[0]) : null
}

/** What a read of checkout uses may ask for; every given field must hold. */
export type RedemptionUseFilter = { redemption_ids?: readonly string[]; code?: string }

/** The uses (checkout claims) matching `filter`, oldest first. */
export async function findRedemptionUses(knex: Knex, filter: RedemptionUseFilter): Promise<RedemptionUseRow[]> {
  const where: string[] = ["TRUE"]
  const bindings: unknown[] = []
  const add = (condition: string, ...values: unknown[]) => {
    where.push(condition)
    bindings.push(...values)
  }
  if (filter.redemption_ids !== undefined) add(`redemption_id = ANY(?)`, [...filter.redemption_ids])
  if (filter.code !== undefined) add(`code = ?`, filter.code)
  const { rows } = await knex.raw(`SELECT * FROM loyalty_redemption_use WHERE ${where.join(" AND ")} ORDER BY created_at, id`, bindings)
  return rows
}

export async function useOfCode(knex: Knex, code: string): Promise<RedemptionUseRow | null> {
  const { rows } = await knex.raw(`SELECT * FROM loyalty_redemption_use WHERE code = ?`, [code])
  return rows[0] ?? null
}

/**
 * A checkout's claim of the redemption codes on its cart, before the order is created. Each redemption row is
 * locked (an expiry void and a claim take turns), the core's claimRefusal decides (not the member's own, used by
 * another cart, expired or voided), and the use row is inserted: its unique index on `code` lets exactly one cart
 * hold a code — a concurrent second insert waits for the first transaction, then conflicts. Throws the refusal;
 * returns the codes this call inserted (a retried completion of the cart that holds the code inserts nothing).
 */
export async function claimCodes(knex: Knex, input: { cart_id: string; customer_id: string | null; redemptions: string[]; now: Date }): Promise<string[]> {
  const inserted: string[] = []
  for (const id of [...input.redemptions].sort()) {
    const r = await lockRedemption(knex, id)
    if (!r) continue
    const held = await useOfCode(knex, r.code)
    const refusal = claimRefusal(
      { id: r.id, customer_id: r.customer_id, discount_code: r.code, status: r.status, expires_at: r.expires_at },
      { customer_id: input.customer_id, claimed_by_cart_id: held?.cart_id ?? null, cart_id: input.cart_id, now: input.now }
    )
    if (refusal) throw refusal
    if (held) continue // this cart's own claim (a retried completion)
    const { rows } = await knex.raw(
      `INSERT INTO loyalty_redemption_use (id, code, redemption_id, cart_id, customer_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (code) DO NOTHING RETURNING code`,
      [newId("lruse"), r.code, r.id, input.cart_id, input.customer_id]
    )
    if (!rows.length) {
      // Another checkout's insert committed while we waited on the index: the code is theirs.
      const winner = await useOfCode(knex, r.code)
      const lost = claimRefusal(
        { id: r.id, customer_id: r.customer_id, discount_code: r.code, status: r.status, expires_at: r.expires_at },
        { customer_id: input.customer_id, claimed_by_cart_id: winner?.cart_id ?? "another cart", cart_id: input.cart_id, now: input.now }
      )
      if (lost) throw lost
      continue
    }
    inserted.push(r.code)
  }
  return inserted
}

/** Undo of a claim when the checkout ends without an order (the workflow's compensation); never a use with an order. */
export async function releaseCodes(knex: Knex, cart_id: string, codes: string[]): Promise<void> {
  if (!codes.length) return
  await knex.raw(`DELETE FROM loyalty_redemption_use WHERE cart_id = ? AND code = ANY(?) AND order_id IS NULL`, [cart_id, codes])
}

/**
 * reserved → settled with its order, exactly once (the row is locked; a settled or voided row is left as it is), and
 * the use row records the order (inserted when a use row is missing: the code's use is then on record as well).
 * Returns whether this call settled it.
 */
export async function settleOne(knex: Knex, id: string, order_id: string, cart_id: string | null, now: Date): Promise<RedemptionRow | null> {
  const r = await lockRedemption(knex, id)
  if (!r || r.status !== "reserved") return null
  const { rows } = await knex.raw(
    `UPDATE loyalty_redemption SET status = 'settled', order_id = ?, settled_at = ?, updated_at = now() WHERE id = ? RETURNING *`,
    [order_id, now, id]
  )
  await knex.raw(
    `INSERT INTO loyalty_redemption_use (id, code, redemption_id, cart_id, customer_id, order_id) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (code) DO UPDATE SET order_id = COALESCE(loyalty_redemption_use.order_id, EXCLUDED.order_id), updated_at = now()`,
    [newId("lruse"), r.code, r.id, cart_id ?? `order:${order_id}`, r.customer_id, order_id]
  )
  return redemptionRow(rows[0])
}
