/** POST /admin/loyalty/rules/backtest: a candidate rulebook against the store's past accruals and actions. */
import { backtestReportView, compileCandidate, type BacktestOutcome } from "../../core/domain/http/reports"
import { liveRulebookOrNull, loyaltyOf, type Resolver } from "../../lib/container"

/**
 * The CLI's backtest (the same statements over v2's tables, the core's runBacktest) of candidate `files` against the
 * newest `limit` accruals since `since`, read in one read-only snapshot; writes nothing. An invalid candidate gives
 * its located issues (the route's 400 RULES_INVALID) and nothing is read.
 */
export async function backtestCandidate(
  scope: Resolver,
  files: Array<{ name: string; content: string }>,
  window: { since?: Date; limit: number },
  now: Date
): Promise<BacktestOutcome> {
  const compiled = compileCandidate(files)
  if (!compiled.ok) return compiled
  const { result, evaluation_ms } = await loyaltyOf(scope).backtest(compiled.rulebook, { since: window.since, limit: window.limit }, now)
  const live_rulebook_version = liveRulebookOrNull(scope)?.version ?? null
  return { ok: true, report: backtestReportView(result, { live_rulebook_version, since: window.since, limit_orders: window.limit, evaluation_ms }) }
}
