/**
 * loyalty_action (earning actions, once per type + reference) and loyalty_birthday_change (when a member's birthday
 * was set or changed). Both append-only: a trigger refuses UPDATE and DELETE.
 */
import type { PastAward } from "../../../core/domain/program/action"
import type { Knex, Page } from "./knex"
import { newId } from "./knex"

export type ActionRow = {
  id: string
  customer_id: string
  type: string
  reference: string
  occurred_at: Date
  properties: Record<string, string | number | boolean | null>
  payload_hash: string
  status: "awarded" | "refused" | "no_rule"
  points: number
  rule_names: string[]
  rulebook_version: string | null
  reasons: Array<{ rule?: string; limit?: string; max?: number; period?: string; message: string }>
  entry_id: string | null
  actor_id: string | null
  created_at: Date
}

export type NewAction = Omit<ActionRow, "created_at">

export type ActionFilter = { customer_id?: string; type?: string }

/** The action recorded under a type + reference, if any. */
export async function findAction(knex: Knex, type: string, reference: string): Promise<ActionRow | null> {
  const { rows } = await knex.raw(`SELECT * FROM loyalty_action WHERE type = ? AND reference = ?`, [type, reference])
  return rows[0] ?? null
}

/** The member's earlier awarded actions (for limits): when each occurred and which rules awarded it. */
export async function pastAwards(knex: Knex, customer_id: string): Promise<PastAward[]> {
  const { rows } = await knex.raw(`SELECT occurred_at, rule_names FROM loyalty_action WHERE customer_id = ? AND status = 'awarded'`, [customer_id])
  return rows.map((r: { occurred_at: Date; rule_names: string[] }) => ({ occurred_at: new Date(r.occurred_at).toISOString(), rule_names: r.rule_names }))
}

export async function insertAction(knex: Knex, row: NewAction): Promise<ActionRow> {
  const { rows } = await knex.raw(
    `INSERT INTO loyalty_action (id, customer_id, type, reference, occurred_at, properties, payload_hash, status, points,
       rule_names, rulebook_version, reasons, entry_id, actor_id)
     VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?, ?) RETURNING *`,
    [
      row.id, row.customer_id, row.type, row.reference, row.occurred_at, JSON.stringify(row.properties), row.payload_hash,
      row.status, row.points, JSON.stringify(row.rule_names), row.rulebook_version, JSON.stringify(row.reasons),
      row.entry_id, row.actor_id,
    ]
  )
  return rows[0]
}

/** Actions matching `filter`, newest first (by occurred_at), and their count. */
export async function pageActions(knex: Knex, filter: ActionFilter, page: Page): Promise<[ActionRow[], number]> {
  const where = `(?::text IS NULL OR customer_id = ?) AND (?::text IS NULL OR type = ?)`
  const c = filter.customer_id ?? null
  const t = filter.type ?? null
  const { rows } = await knex.raw(`SELECT * FROM loyalty_action WHERE ${where} ORDER BY occurred_at DESC, id DESC LIMIT ? OFFSET ?`, [c, c, t, t, page.limit, page.offset])
  const { rows: counted } = await knex.raw(`SELECT count(*)::int AS n FROM loyalty_action WHERE ${where}`, [c, c, t, t])
  return [rows, counted[0].n]
}

/** Which of `references` of `type` are recorded (decided) already. */
export async function recordedReferences(knex: Knex, type: string, references: readonly string[]): Promise<Set<string>> {
  if (!references.length) return new Set()
  const { rows } = await knex.raw(`SELECT reference FROM loyalty_action WHERE type = ? AND reference = ANY(?)`, [type, [...references]])
  return new Set(rows.map((r: { reference: string }) => r.reference))
}

/** One writer of a customer's birthday changes at a time (transaction-scoped: released at commit or rollback). */
export async function lockBirthdayChanges(knex: Knex, customer_id: string): Promise<void> {
  await knex.raw(`SELECT pg_advisory_xact_lock(hashtext('loyalty_birthday:' || ?))`, [customer_id])
}

/** The birthday in force at `at`: the latest change recorded at or before it, undefined when none is. */
export async function birthdayAt(knex: Knex, customer_id: string, at: Date): Promise<{ birthday: string | null } | undefined> {
  const { rows } = await knex.raw(
    `SELECT birthday FROM loyalty_birthday_change WHERE customer_id = ? AND changed_at <= ? ORDER BY changed_at DESC, created_at DESC, id DESC LIMIT 1`,
    [customer_id, at]
  )
  return rows[0]
}

export async function insertBirthdayChange(knex: Knex, change: { customer_id: string; birthday: string | null; changed_at: Date }): Promise<void> {
  await knex.raw(`INSERT INTO loyalty_birthday_change (id, customer_id, birthday, changed_at) VALUES (?, ?, ?, ?)`, [
    newId("lbch"), change.customer_id, change.birthday, change.changed_at,
  ])
}

/** When each of `customer_ids` last had their birthday set or changed (absent: never seen to change). */
export async function lastBirthdayChanges(knex: Knex, customer_ids: readonly string[]): Promise<Map<string, Date>> {
  if (!customer_ids.length) return new Map()
  const { rows } = await knex.raw(
    `SELECT customer_id, max(changed_at) AS at FROM loyalty_birthday_change WHERE customer_id = ANY(?) GROUP BY customer_id`,
    [[...customer_ids]]
  )
  return new Map(rows.map((r: { customer_id: string; at: Date }) => [r.customer_id, new Date(r.at)]))
}
