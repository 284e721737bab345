/**
 * What the member-level decisions of a rulebook (the tier ladder, member promotions) read of the member facts, so
 * a posting can tell whether the account row it holds under its lock is enough to decide the tier. Reading the
 * other facts (orders, 365-day windows, spend, customer groups) costs a query over the order and ledger tables on
 * every posting; the default program reads only lifetime points and the tier.
 */
import type { ConditionNode, TopLevelCondition } from "../rules/condition"
import { parseFactPath } from "../rules/fact-catalogue"
import type { MemberFacts } from "../rules/facts"
import type { PromotionDef } from "./promotions"
import { recomputeTier, type TiersDef } from "./tiers"

/** The member fields the account row itself holds: known under the account's lock without another read. */
const ACCOUNT_ROW_FIELDS: ReadonlySet<string> = new Set(["customer_id", "points_balance", "points_lifetime", "tier"])
/** A condition on the whole member fact (no path) or an unparsable path: reads everything. */
const EVERYTHING = "*"

/** The top-level member fields a condition tree reads (`$.points_lifetime` → points_lifetime); "*" for the whole fact. */
export function memberFieldsRead(condition: TopLevelCondition): Set<string> {
  const fields = new Set<string>()
  const walk = (node: ConditionNode): void => {
    if ("all" in node) node.all.forEach(walk)
    else if ("any" in node) node.any.forEach(walk)
    else if ("not" in node) walk(node.not)
    else if (node.fact === "member") {
      const first = node.path === undefined ? undefined : parseFactPath(node.path)?.[0]
      fields.add(first && "prop" in first ? first.prop : EVERYTHING)
    }
  }
  walk(condition)
  return fields
}

const decidedByAccountRow = new WeakMap<object, boolean>()

/**
 * Whether a posting can decide the member's tier from the account row alone and leave groups and promotions as
 * they are while the tier stays: every tier condition reads only account-row fields and every promotion reads at
 * most the tier. Invariant: when true, recomputeTier on accountRowFacts decides exactly as on the full facts, and
 * the eligible promotions can change only when the tier does. Memoized per compiled rulebook.
 */
export function tierDecidedByAccountRow(rulebook: { readonly tiers: TiersDef | null; readonly promotions: readonly PromotionDef[] }): boolean {
  const known = decidedByAccountRow.get(rulebook)
  if (known !== undefined) return known
  const within = (conditions: TopLevelCondition, allowed: (field: string) => boolean) => [...memberFieldsRead(conditions)].every(allowed)
  const decided =
    (rulebook.tiers?.tiers ?? []).every((t) => within(t.conditions, (f) => ACCOUNT_ROW_FIELDS.has(f))) &&
    rulebook.promotions.every((p) => within(p.conditions, (f) => f === "tier"))
  decidedByAccountRow.set(rulebook, decided)
  return decided
}

/**
 * Member facts from the account row only; the fields it does not hold are empty. Only for decisions that
 * tierDecidedByAccountRow says read nothing else.
 */
export function accountRowFacts(account: { customer_id: string; points_balance: number; points_lifetime: number; tier: string | null }): MemberFacts {
  return {
    customer_id: account.customer_id,
    points_balance: account.points_balance,
    points_lifetime: Number(account.points_lifetime),
    tier: account.tier,
    orders_count: 0,
    points_last_365d: 0,
    spend_last_365d_minor: 0,
    group_ids: [],
    created_at: "",
  }
}

/**
 * Whether a posting can skip the tier re-evaluation altogether, decided from what the ledger holds under the
 * account's lock: the rulebook decides tiers from the account row (tierDecidedByAccountRow) and, on the row as
 * posted, neither the tier nor its grace mark changes (no threshold crossed, no grace period started, cleared or
 * over as of `now`). True without a tier ladder (nothing to re-evaluate). Invariant: when true, a re-evaluation of
 * this posting would write nothing, record nothing and move no group, so skipping it changes nothing stored.
 */
export function postingKeepsTier(
  rulebook: { readonly tiers: TiersDef | null; readonly promotions: readonly PromotionDef[] },
  account: { customer_id: string; points_balance: number; points_lifetime: number; tier: string | null; tier_below_since: Date | null },
  o: { correction: boolean; now: Date }
): boolean {
  if (!rulebook.tiers) return true
  if (!tierDecidedByAccountRow(rulebook)) return false
  return !recomputeTier(rulebook, account, accountRowFacts(account), { trigger: "posting", ...o })!.store
}

/**
 * Whether a posting can leave the member's customer groups (tier groups and member promotions' groups) as they are:
 * its tier did not change and the rulebook decides tiers and promotions from the account row (tierDecidedByAccountRow),
 * so every group the member belongs to follows the tier alone. Invariant: when true, a group sync after the posting
 * would move nothing (groups changed by hand are left to the daily re-evaluation).
 */
export function groupsStayAfterPosting(
  rulebook: { readonly tiers: TiersDef | null; readonly promotions: readonly PromotionDef[] },
  tier_changed: boolean
): boolean {
  return !tier_changed && tierDecidedByAccountRow(rulebook)
}
