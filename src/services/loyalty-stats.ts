import { TransactionBaseService } from "@medusajs/medusa"
import type { EntityManager } from "typeorm"
import { resolveActivityRange, tierMembers, type ActivityDay, type TierMembers } from "../domain/reports/stats"
import { readActivity, readMembersPerTier } from "../utils/stats-sql"
import type { RowQuery } from "../utils/ledger-verify"
import type LoyaltyRulesService from "./loyalty-rules"

type InjectedDependencies = { manager: EntityManager; loyaltyRulesService: LoyaltyRulesService }

export type Activity = { from: string; to: string; days: ActivityDay[] }

/**
 * Store-wide figures for the admin dashboard, read by bounded SQL on the ledger and accounts (utils/stats-sql.ts);
 * what the figures mean is decided in domain/reports/stats.ts. Read-only.
 */
export default class LoyaltyStatsService extends TransactionBaseService {
  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /**
   * Points per UTC day of `from`..`to` by bucket, and the outstanding points at the end of each day. Bounds default
   * to the 30 days ending `now`'s day; INVALID_INPUT for a reversed or over-long range.
   */
  async activity(bounds: { from?: string; to?: string }, now: Date): Promise<Activity> {
    const { from, to } = resolveActivityRange(bounds, now.toISOString().slice(0, 10))
    return { from, to, days: await readActivity(this.query_(), from, to) }
  }

  /** Members per tier of the live ladder (plus codes no longer in it, plus `none`); without a rulebook, by code. */
  async tiers(): Promise<TierMembers[]> {
    const ladder = this.deps_.loyaltyRulesService.findRulebook()?.tiers ?? null
    return tierMembers(ladder, await readMembersPerTier(this.query_()))
  }

  private query_(): RowQuery {
    return (sql, params) => this.activeManager_.query(sql, params)
  }
}
