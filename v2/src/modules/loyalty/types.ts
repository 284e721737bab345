/** The loyalty module's public types: what its service takes and answers (rows are the stores'). */
import type { MemberFacts } from "../../core/domain/rules/facts"
import type { AccountRow } from "./stores/accounts"
import type { EntryRow } from "./stores/ledger"

export type { AccountRow, AccountListFilter } from "./stores/accounts"
export type { EntryRow, PendingOrderRow } from "./stores/ledger"
export type { TierChangeRow } from "./stores/tiers"
export type { TrackedPromotionRow, TrackedPromotion } from "./stores/promotions"
export type { RedemptionRow, RedemptionUseRow, NewRedemption, RedemptionFilter, RedemptionUseFilter } from "./stores/redemptions"
export type { Page } from "./stores/knex"
export type { ActionRow, NewAction, ActionFilter } from "./stores/actions"

/**
 * What member facts take from outside the loyalty module (customer and orders, read by the caller through Query;
 * see workflows/members/member-facts.ts). `created_at` is the customer's, null when the customer row is gone.
 */
export type MemberContext = Pick<MemberFacts, "orders_count" | "spend_last_365d_minor" | "group_ids"> & { created_at: string | null }
/** Read only when needed (a posting that moves lifetime points, a new account). */
export type MemberContextSource = () => Promise<MemberContext>

export type LockedContext = {
  account: AccountRow
  /** The entries of the order named in postUnderLock, in append order, read under the lock. */
  orderEntries: EntryRow[]
  /** Every entry of the account in append order, read under the lock (expiry's FIFO movements). */
  accountEntries: () => Promise<EntryRow[]>
}

/**
 * A tier change as `loyalty.tier_changed` carries it (its public payload, docs/ledger.md#events), written in the
 * posting's transaction.
 */
export type TierChangeEvent = { customer_id: string; from: string | null; to: string; reason: string; rulebook_version: string | null }

export type PostResult =
  | { entry: EntryRow; account: AccountRow; replayed: boolean; tier_changes?: TierChangeEvent[] }
  | { entry: null; account: AccountRow; replayed: false; tier_changes?: TierChangeEvent[] }

/** What a re-evaluation of one member did: the tiers job counts upgraded / downgraded / unchanged from `change`. */
export type TierReevaluation = { from: string | null; to: string | null; change: "upgrade" | "downgrade" | "none"; tier_change: TierChangeEvent | null }
