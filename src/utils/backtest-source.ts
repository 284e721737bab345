import type { PastAward } from "../domain/program/action"
import { runBacktest, type BacktestAction, type BacktestEntry, type BacktestMember, type BacktestResult } from "../domain/reports/backtest"
import { MEMBER_WINDOW_DAYS } from "../domain/rules/facts"
import { LIFETIME_KINDS } from "../domain/ledger/ledger"
import type { RowQuery } from "./ledger-verify"
import { memberFactColumns, memberFactColumnsV2 } from "./member-facts-sql"
import { currencyDecimals } from "../domain/shared/currency"
import type { MedusaSchema } from "./medusa-schema"
import type { Rulebook } from "../domain/rules/rulebook"
import { DAY_MS } from "../domain/shared/time"


export interface BacktestWindow {
  since?: Date
  /** Exclusive. */
  until?: Date
  limit?: number
}

/**
 * The accrual entries of the window, newest first (`limit` newest), as the backtest reads them. Plain SQL only
 * (the CLI runs it over a bare pg connection in a read-only transaction).
 */
export async function readBacktestEntries(query: RowQuery, window: BacktestWindow, now: Date): Promise<BacktestEntry[]> {
  const rows = await query(
    `SELECT id, customer_id, order_id, points, pending_delta, created_at, rule_names, details->'facts' AS facts
       FROM loyalty_ledger_entry
      WHERE kind = 'accrual'
        AND ($1::timestamptz IS NULL OR created_at >= $1)
        AND ($2::timestamptz IS NULL OR created_at < $2)
      ORDER BY created_at DESC, seq DESC
      LIMIT $3`,
    [window.since ?? null, window.until ?? null, window.limit ?? null]
  )
  const windowStart = now.getTime() - MEMBER_WINDOW_DAYS * DAY_MS
  return rows.map((r) => {
    const created = new Date(r.created_at)
    const facts = r.facts && typeof r.facts === "object" && r.facts.order && r.facts.customer ? r.facts : null
    return {
      entry_id: r.id,
      customer_id: r.customer_id,
      order_id: r.order_id ?? null,
      created_at: created.toISOString(),
      earned: Number(r.points) + Number(r.pending_delta),
      rule_names: Array.isArray(r.rule_names) ? r.rule_names : [],
      facts,
      in_window: created.getTime() > windowStart && created.getTime() <= now.getTime(),
    }
  })
}

/**
 * The recorded earning actions (loyalty_action rows) that occurred in the window, newest first (`limit` newest), with
 * what each earned and the member facts stored with its award; plus `prior`, each of those members' awarded actions
 * outside the window as recorded (the limits of the candidate count them). A store without the actions table (not
 * migrated yet) has none.
 */
export async function readBacktestActions(query: RowQuery, window: BacktestWindow, now: Date): Promise<{ actions: BacktestAction[]; prior: Map<string, PastAward[]> }> {
  const [table] = await query(`SELECT to_regclass('loyalty_action') IS NOT NULL AS present`)
  if (!table?.present) return { actions: [], prior: new Map() }
  const rows = await query(
    `SELECT a.id, a.customer_id, a.type, a.reference, a.occurred_at, a.created_at, a.properties, a.points, a.rule_names,
            e.details->'facts'->'member' AS member
       FROM loyalty_action a LEFT JOIN loyalty_ledger_entry e ON e.id = a.entry_id
      WHERE ($1::timestamptz IS NULL OR a.occurred_at >= $1)
        AND ($2::timestamptz IS NULL OR a.occurred_at < $2)
      ORDER BY a.occurred_at DESC, a.id DESC
      LIMIT $3`,
    [window.since ?? null, window.until ?? null, window.limit ?? null]
  )
  const windowStart = now.getTime() - MEMBER_WINDOW_DAYS * DAY_MS
  const actions: BacktestAction[] = rows.map((r) => {
    const recorded = new Date(r.created_at).getTime()
    return {
      action_id: r.id,
      customer_id: r.customer_id,
      type: r.type,
      reference: r.reference,
      occurred_at: new Date(r.occurred_at).toISOString(),
      properties: r.properties && typeof r.properties === "object" ? r.properties : {},
      earned: Number(r.points),
      rule_names: Array.isArray(r.rule_names) ? r.rule_names : [],
      member: r.member && typeof r.member === "object" && typeof r.member.customer_id === "string" ? r.member : null,
      in_window: recorded > windowStart && recorded <= now.getTime(),
    }
  })
  const prior = new Map<string, PastAward[]>()
  if (actions.length > 0) {
    const outside = await query(
      `SELECT customer_id, occurred_at, rule_names FROM loyalty_action
        WHERE status = 'awarded' AND customer_id = ANY($1) AND NOT (id = ANY($2))`,
      [[...new Set(actions.map((a) => a.customer_id))], actions.map((a) => a.action_id)]
    )
    for (const r of outside) {
      prior.set(r.customer_id, [...(prior.get(r.customer_id) ?? []), { occurred_at: new Date(r.occurred_at).toISOString(), rule_names: Array.isArray(r.rule_names) ? r.rule_names : [] }])
    }
  }
  return { actions, prior }
}

/**
 * Accounts and member facts now (the same figures as the tier service's memberFacts) of `customer_ids`, from a
 * Medusa v1 store's tables or (schema "v2") a Medusa v2 store's.
 */
export async function readBacktestMembers(query: RowQuery, customer_ids: string[], now: Date, schema: MedusaSchema = "v1"): Promise<BacktestMember[]> {
  if (customer_ids.length === 0) return []
  const since = new Date(now.getTime() - MEMBER_WINDOW_DAYS * DAY_MS)
  const params: unknown[] = [customer_ids, since, now, [...LIFETIME_KINDS]]
  if (schema === "v2") {
    const [store] = await query(
      `SELECT sc.currency_code FROM store_currency sc WHERE sc.is_default AND sc.deleted_at IS NULL ORDER BY sc.created_at LIMIT 1`
    )
    const currency: string | null = store?.currency_code ?? null
    params.push(currency, currency === null ? 1 : 10 ** currencyDecimals(currency))
  }
  const rows = await query(
    `SELECT a.customer_id, a.tier, a.points_lifetime, a.points_balance, a.created_at AS account_created_at,
            c.email, c.created_at,
       ${schema === "v2" ? memberFactColumnsV2("a.customer_id") : memberFactColumns("a.customer_id")}
     FROM loyalty_account a LEFT JOIN customer c ON c.id = a.customer_id
     WHERE a.customer_id = ANY($1)`,
    params
  )
  return rows.map((r) => ({
    customer_id: r.customer_id,
    email: r.email ?? null,
    tier: r.tier ?? null,
    facts: {
      customer_id: r.customer_id,
      points_lifetime: Number(r.points_lifetime),
      points_balance: Number(r.points_balance),
      tier: r.tier ?? null,
      orders_count: Number(r.orders_count ?? 0),
      points_last_365d: Number(r.points_window ?? 0),
      spend_last_365d_minor: Number(r.spend_window ?? 0),
      group_ids: r.group_ids ?? [],
      created_at: new Date(r.created_at ?? r.account_created_at).toISOString(),
    },
  }))
}

export interface StoreBacktest {
  result: BacktestResult
  /** Time spent evaluating (the domain's share; reading the ledger is not counted). */
  evaluation_ms: number
}

/**
 * The backtest of `rulebook` against the store's accruals and recorded actions of `window` (the same since / until /
 * limit apply to each: accruals by creation, actions by when they occurred): reads them and their members with
 * `query` (the caller decides the transaction: the CLI and the admin API both read in one read-only snapshot),
 * then runs the domain's backtest. Shared by `medusa-loyalty backtest` and POST /admin/loyalty/rules/backtest.
 */
export async function backtestStore(
  query: RowQuery,
  rulebook: Rulebook,
  window: BacktestWindow,
  now: Date,
  onProgress?: (done: number, total: number) => void,
  schema: MedusaSchema = "v1"
): Promise<StoreBacktest> {
  const entries = await readBacktestEntries(query, window, now)
  const { actions, prior } = await readBacktestActions(query, window, now)
  const members = await readBacktestMembers(query, [...new Set([...entries, ...actions].map((e) => e.customer_id))], now, schema)
  const started = process.hrtime.bigint()
  const result = await runBacktest(rulebook, entries, members, onProgress, actions, prior)
  return { result, evaluation_ms: Number(process.hrtime.bigint() - started) / 1e6 }
}
