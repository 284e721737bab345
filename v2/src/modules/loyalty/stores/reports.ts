/**
 * The admin reports' reads: the activity chart, accounts per tier and the backtest's store half. The statements are
 * the root's (core/utils, copied by sync-core: the CLI's `verify`/`backtest` run the same ones over a bare pg
 * connection), written with pg's `$n` placeholders; `rowQueryOf` hands them to knex.
 */
import type { ActivityDay } from "../../../core/domain/reports/stats"
import type { Rulebook } from "../../../core/domain/rules/rulebook"
import { backtestStore, type BacktestWindow, type StoreBacktest } from "../../../core/utils/backtest-source"
import type { RowQuery } from "../../../core/utils/ledger-verify"
import { readActivity } from "../../../core/utils/stats-sql"
import type { Knex } from "./knex"

/**
 * A `$n`-placeholder statement run through knex, whose raw SQL takes `?` bindings: each `$n` becomes a `?` bound to
 * params[n − 1] (a parameter used twice is bound twice). The shared statements contain no literal `?`.
 */
export function rowQueryOf(knex: Knex): RowQuery {
  return async (sql, params = []) => {
    const bindings: unknown[] = []
    const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
      bindings.push(params[Number(n) - 1])
      return "?"
    })
    return (await knex.raw(text, bindings)).rows
  }
}

/** One row per UTC day of `from`..`to` (inclusive, zero-filled), oldest first. */
export async function activity(knex: Knex, from: string, to: string): Promise<ActivityDay[]> {
  return await readActivity(rowQueryOf(knex), from, to)
}

/** Accounts per tier code; null: accounts without a tier (the tier chart shows them as "No tier"). */
export async function accountsPerTier(knex: Knex): Promise<Map<string | null, number>> {
  const { rows } = await knex.raw(`SELECT tier, count(*)::int AS n FROM loyalty_account WHERE deleted_at IS NULL GROUP BY tier`)
  return new Map(rows.map((r: { tier: string | null; n: number }) => [r.tier, r.n]))
}

/** The CLI's backtest of `rulebook` over this v2 store's accruals, actions and members (v2's order tables). */
export async function backtest(knex: Knex, rulebook: Rulebook, window: BacktestWindow, now: Date): Promise<StoreBacktest> {
  return await backtestStore(rowQueryOf(knex), rulebook, window, now, undefined, "v2")
}
