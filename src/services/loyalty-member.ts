import { TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { nextExpiry } from "../domain/ledger/expiry"
import { MEMBER_WINDOW_DAYS, type MemberFacts } from "../domain/rules/facts"
import { LIFETIME_KINDS } from "../domain/ledger/ledger"
import type { Rulebook } from "../domain/rules/rulebook"
import { LoyaltyAccount } from "../models/loyalty-account"
import { allMovements, lotMovements, openLotsJoin, OPEN_LOTS_COLUMNS } from "../utils/expiry-lots-sql"
import { memberFactColumns, memberFactsOfRow } from "../utils/member-facts-sql"
import LoyaltyRulesService from "./loyalty-rules"
import { DAY_MS } from "../domain/shared/time"

type InjectedDependencies = { manager: EntityManager; loyaltyRulesService: LoyaltyRulesService }

export type MemberSummary = {
  account: LoyaltyAccount
  /** The member facts, when the live rules have tiers (what the next tier is measured on); else null. */
  member: MemberFacts | null
  next_expiry: { points: number; expires_at: Date } | null
  /** The live rulebook the summary was read with (null when none is loaded). */
  rulebook: Rulebook | null
}

const ACCOUNT_COLUMNS = `a.id, a.customer_id, a.points_balance, a.points_lifetime::float8 AS points_lifetime, a.points_pending, a.tier, a.tier_below_since,
  a.created_at, a.updated_at`

/**
 * What a member sees of their own account (GET /store/customers/me/loyalty), read in one query: the account, the
 * member facts when tiers are in use (the same figures as LoyaltyTierService.memberFacts) and the open lots that
 * give the next expiry (the same answer as LoyaltyExpiryService.nextExpiryFor). Reads only.
 */
export default class LoyaltyMemberService extends TransactionBaseService {
  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /** The summary as of `now`, or null when the customer has no account yet (the caller opens it and asks again). */
  async summary(customer_id: string, now: Date): Promise<MemberSummary | null> {
    const months = this.deps_.loyaltyRulesService.liveExpiryMonths()
    const rulebook = this.deps_.loyaltyRulesService.findRulebook()
    const tiers = rulebook?.tiers != null
    const manager = this.activeManager_
    const since = new Date(now.getTime() - MEMBER_WINDOW_DAYS * DAY_MS)
    const [row] = await manager.query(
      `SELECT ${ACCOUNT_COLUMNS}
              ${tiers ? `, a.created_at AS account_created_at, c.created_at AS customer_created_at, ${memberFactColumns("c.id")}` : ""}
              ${months ? `, ${OPEN_LOTS_COLUMNS}` : ""}
         FROM loyalty_account a
         ${tiers ? `LEFT JOIN customer c ON c.id = a.customer_id` : ""}
         ${months ? openLotsJoin("a.customer_id") : ""}
        WHERE a.customer_id = $1`,
      tiers ? [customer_id, since, now, [...LIFETIME_KINDS]] : [customer_id]
    )
    if (!row) return null
    const account = manager.getRepository(LoyaltyAccount).create({
      id: row.id,
      customer_id: row.customer_id,
      points_balance: row.points_balance,
      points_lifetime: row.points_lifetime,
      points_pending: row.points_pending,
      tier: row.tier,
      tier_below_since: row.tier_below_since,
      created_at: row.created_at,
      updated_at: row.updated_at,
    })
    const next_expiry = months ? nextExpiry(lotMovements(row) ?? (await allMovements(manager, customer_id)), now, months) : null
    return { account, member: tiers ? memberFactsOfRow(customer_id, row, now) : null, next_expiry, rulebook }
  }

}
