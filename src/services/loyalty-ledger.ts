import { generateEntityId, TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { LoyaltyError, LoyaltyErrorCodes } from "../domain/errors"
import { assertReplay, EntryDraft, payloadHash, planPosting, Posting } from "../domain/ledger"
import { LoyaltyAccount } from "../models/loyalty-account"
import { LoyaltyLedgerEntry } from "../models/loyalty-ledger-entry"

type InjectedDependencies = { manager: EntityManager }
/** The tier hook, resolved lazily: the tier service is built after the ledger (and must not be a constructor dependency). */
type TierHook = { withTransaction(m: EntityManager): { recompute(customer_id: string, o: { reason: string; correction?: boolean }): Promise<unknown> } }

export type Page = { limit: number; offset: number }
export type AccountWithEmail = LoyaltyAccount & { email: string | null }
export type PostResult = { entry: LoyaltyLedgerEntry; account: LoyaltyAccount; replayed: boolean }
export type LockedContext = {
  manager: EntityManager
  /** The account as locked (current balance). */
  account: LoyaltyAccount
  entriesOfOrder(order_id: string): Promise<LoyaltyLedgerEntry[]>
}

/**
 * Accounts and the append-only ledger. The only writer of balances: every movement goes through `post`, which
 * appends the entry and updates the cached balance in one transaction, under the account's row lock.
 */
export default class LoyaltyLedgerService extends TransactionBaseService {
  protected readonly container_: InjectedDependencies & { loyaltyTierService?: TierHook }

  constructor(container: InjectedDependencies) {
    super(container)
    this.container_ = container
  }

  /**
   * Returns the customer's account, creating it when missing (customers created before the plugin was installed
   * get theirs on first need). Safe under concurrency: the unique index on customer_id decides the race.
   */
  async ensureAccount(customer_id: string): Promise<LoyaltyAccount> {
    return await this.atomicPhase_(async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(LoyaltyAccount)
        .values({ id: generateEntityId("", "lacc"), customer_id, points_balance: 0, points_lifetime: 0, points_pending: 0, tier: null })
        .orIgnore()
        .returning(["id"])
        .execute()
      if (inserted.raw.length > 0) {
        await this.tiers_(manager).recompute(customer_id, { reason: "enrolled" }) // a new member gets the base tier
      }
      return await manager.getRepository(LoyaltyAccount).findOneOrFail({ where: { customer_id } })
    })
  }

  /** The account of a customer, or null when none exists yet. */
  async findAccount(customer_id: string): Promise<LoyaltyAccount | null> {
    return await this.activeManager_.getRepository(LoyaltyAccount).findOne({ where: { customer_id } })
  }

  /**
   * Appends `draft` exactly once per idempotency key. Under the account lock: an entry already stored under the
   * key is returned when the payload matches (a redelivered event or retried request) and is a conflict otherwise.
   */
  async post(draft: EntryDraft): Promise<PostResult> {
    const result = await this.postUnderLock(draft.customer_id, draft.idempotency_key, async () => draft)
    if (result.replayed) {
      assertReplay(result.entry, draft)
    }
    return result as PostResult
  }

  /**
   * Locks the customer's account, then, unless an entry exists under `idempotency_key` (returned as a replay),
   * asks `decide` for the draft to append. `decide` runs under the lock, so what it reads (earlier entries of an
   * order, the balance) cannot change before the write; it returns null to write nothing.
   */
  async postUnderLock(
    customer_id: string,
    idempotency_key: string,
    decide: (ctx: LockedContext) => Promise<EntryDraft | null>
  ): Promise<PostResult | { entry: null; account: LoyaltyAccount; replayed: false }> {
    return await this.atomicPhase_(async (manager) => {
      await this.withTransaction(manager).ensureAccount(customer_id)
      const account = await this.lockAccount(manager, customer_id)
      const entries = manager.getRepository(LoyaltyLedgerEntry)
      const stored = await entries.findOne({ where: { idempotency_key } })
      if (stored) {
        return { entry: stored, account, replayed: true }
      }
      const draft = await decide({ manager, account, entriesOfOrder: (order_id) => this.entriesOfOrder(manager, order_id) })
      if (!draft) {
        return { entry: null, account, replayed: false }
      }
      const posting = planPosting(account, draft)
      const saved = await entries.save(entries.create(entryRow(account, draft, posting)))
      await manager.getRepository(LoyaltyAccount).update({ id: account.id }, posting.next)
      if (posting.next.points_lifetime !== account.points_lifetime) {
        // Tiers follow lifetime points; a lower figure is a correction (no grace for points taken back).
        const correction = posting.next.points_lifetime < account.points_lifetime
        await this.tiers_(manager).recompute(customer_id, { reason: draft.kind, correction })
        return { entry: saved, account: await this.lockAccount(manager, customer_id), replayed: false }
      }
      return { entry: saved, account: { ...account, ...posting.next } as LoyaltyAccount, replayed: false }
    })
  }

  /** Entries of one order in append order (accrual, clawbacks, reversal, activation). */
  async entriesOfOrder(manager: EntityManager, order_id: string): Promise<LoyaltyLedgerEntry[]> {
    return await manager.getRepository(LoyaltyLedgerEntry).find({ where: { order_id }, order: { seq: "ASC" } })
  }

  /** The entry stored under an idempotency key, if any (lets callers skip work for a redelivered event). */
  async findEntryByKey(idempotency_key: string): Promise<LoyaltyLedgerEntry | null> {
    return await this.activeManager_.getRepository(LoyaltyLedgerEntry).findOne({ where: { idempotency_key } })
  }

  /** Accounts with the customer's email, newest first; `q` matches email or customer id (case-insensitive), `tier` the tier code. */
  async listAccounts({ q, tier }: { q?: string; tier?: string }, page: Page): Promise<[AccountWithEmail[], number]> {
    const qb = this.activeManager_
      .getRepository(LoyaltyAccount)
      .createQueryBuilder("a")
      .leftJoin("customer", "c", "c.id = a.customer_id")
      .addSelect("c.email", "email")
    if (q) {
      qb.andWhere("(c.email ILIKE :q OR a.customer_id ILIKE :q)", { q: `%${escapeLike(q)}%` })
    }
    if (tier) {
      qb.andWhere("a.tier = :tier", { tier })
    }
    const count = await qb.getCount()
    const { entities, raw } = await qb
      .orderBy("a.created_at", "DESC")
      .addOrderBy("a.id", "DESC")
      .offset(page.offset)
      .limit(page.limit)
      .getRawAndEntities()
    return [entities.map((a, i) => Object.assign(a, { email: (raw[i]?.email as string | null) ?? null })), count]
  }

  /** A customer's entries, newest first. */
  async listEntries(customer_id: string, page: Page): Promise<[LoyaltyLedgerEntry[], number]> {
    return await this.activeManager_.getRepository(LoyaltyLedgerEntry).findAndCount({
      where: { customer_id },
      order: { seq: "DESC" },
      skip: page.offset,
      take: page.limit,
    })
  }

  /** The account of a customer or NOT_FOUND. */
  async retrieveAccount(customer_id: string): Promise<LoyaltyAccount> {
    const account = await this.findAccount(customer_id)
    if (!account) {
      throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `No loyalty account for customer ${customer_id}`, {
        customer_id,
      })
    }
    return account
  }

  private tiers_(manager: EntityManager): ReturnType<TierHook["withTransaction"]> {
    return this.container_.loyaltyTierService!.withTransaction(manager)
  }

  private async lockAccount(manager: EntityManager, customer_id: string): Promise<LoyaltyAccount> {
    return await manager
      .getRepository(LoyaltyAccount)
      .createQueryBuilder("a")
      .setLock("pessimistic_write")
      .where("a.customer_id = :customer_id", { customer_id })
      .getOneOrFail()
  }
}

function entryRow(account: LoyaltyAccount, draft: EntryDraft, posting: Posting): Partial<LoyaltyLedgerEntry> {
  return {
    id: generateEntityId("", "lent"),
    account_id: account.id,
    customer_id: draft.customer_id,
    kind: draft.kind,
    points: posting.points,
    balance_after: posting.balance_after,
    pending_delta: posting.pending_delta,
    pending_after: posting.pending_after,
    order_id: draft.order_id ?? null,
    source_id: draft.source_id ?? null,
    rule_names: draft.rule_names ?? [],
    rulebook_version: draft.rulebook_version ?? null,
    reason: draft.reason ?? null,
    actor_id: draft.actor_id ?? null,
    idempotency_key: draft.idempotency_key,
    payload_hash: payloadHash(draft),
    details: draft.details ?? {},
  }
}

function escapeLike(q: string): string {
  return q.replace(/[\\%_]/g, (c) => `\\${c}`)
}
