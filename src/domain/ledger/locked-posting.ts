/**
 * The ledger's one write path, for both adapters: lock the member's account, look for the idempotency key, let the
 * caller decide the entry from what the ledger holds, append it and move the cached balances, re-evaluate the tier
 * when lifetime points moved. Storage is a port each adapter implements inside one database transaction (v1 with
 * TypeORM, v2 with the loyalty module's manager); the order of these steps, which is what makes the ledger safe,
 * is written here once.
 */
import { assertReplay, planPosting, type AccountState, type EntryDraft, type Posting } from "./ledger"

/** What the locked write reads and writes. Every method runs in the caller's transaction. */
export interface LedgerPort<Account extends AccountState, Entry extends StoredEntry> {
  /** The account under `SELECT … FOR UPDATE` (held until the transaction ends), or null when there is none. */
  lockAccount(customer_id: string): Promise<Account | null>
  /** Opens the account of a customer who has none yet (safe when a concurrent write opens it first). */
  openAccount(customer_id: string): Promise<void>
  /** Entries stored under `idempotency_key`, plus every entry of `order_id` when one is given, in append order. */
  entriesByKey(idempotency_key: string, order_id: string | null): Promise<Entry[]>
  /** Appends the entry and moves the account's cached balances to `posting.next`; returns both as stored. */
  append(account: Account, draft: EntryDraft, posting: Posting): Promise<{ entry: Entry; account: Account }>
  /** Lifetime points moved: re-evaluates the tier of the locked account and returns it as stored. */
  lifetimeChanged(account: Account, change: { reason: string; correction: boolean }): Promise<Account>
}

/** The columns of a stored entry this algorithm reads. */
export interface StoredEntry {
  idempotency_key: string
  order_id: string | null
  payload_hash: string
}

/** What `decide` sees, read under the lock: nothing in it can change before the write. */
export interface Locked<Account, Entry> {
  account: Account
  /** The entries of the order named in the call, in append order (empty without one). */
  orderEntries: Entry[]
}

export type LockedPosting<Account, Entry> =
  | { entry: Entry; account: Account; replayed: boolean }
  | { entry: null; account: Account; replayed: false }

/**
 * Locks the customer's account (opening it when missing), then, unless an entry exists under `idempotency_key`
 * (returned as a replay, whatever its payload), asks `decide` for the draft to append; null writes nothing.
 * Invariants: the key is checked after the lock, never in the locking statement (a statement that waited for the
 * lock still sees the snapshot it started with, so an entry committed by the lock's previous holder would be
 * missed); the entry and the balance move together; the tier follows lifetime points under the same lock, a lower
 * figure being a correction (no grace for points taken back).
 */
export async function postUnderLock<Account extends AccountState, Entry extends StoredEntry>(
  port: LedgerPort<Account, Entry>,
  call: { customer_id: string; idempotency_key: string; order_id?: string | null },
  decide: (locked: Locked<Account, Entry>) => EntryDraft | null | Promise<EntryDraft | null>
): Promise<LockedPosting<Account, Entry>> {
  const { customer_id, idempotency_key } = call
  const order_id = call.order_id ?? null
  let account = await port.lockAccount(customer_id)
  if (!account) {
    await port.openAccount(customer_id)
    account = (await port.lockAccount(customer_id)) as Account
  }
  const found = await port.entriesByKey(idempotency_key, order_id)
  const stored = found.find((e) => e.idempotency_key === idempotency_key)
  if (stored) return { entry: stored, account, replayed: true }
  const draft = await decide({ account, orderEntries: order_id ? found.filter((e) => e.order_id === order_id) : [] })
  if (!draft) return { entry: null, account, replayed: false }
  const posting = planPosting(account, draft)
  const appended = await port.append(account, draft, posting)
  if (posting.next.points_lifetime === account.points_lifetime) return { ...appended, replayed: false }
  const correction = posting.next.points_lifetime < account.points_lifetime
  return { entry: appended.entry, account: await port.lifetimeChanged(appended.account, { reason: draft.kind, correction }), replayed: false }
}

/**
 * Appends `draft` exactly once per idempotency key: a second call with the same payload returns the stored entry
 * (a redelivered event, a retried request), one with another payload is IDEMPOTENCY_CONFLICT.
 */
export async function postOnce<Account extends AccountState, Entry extends StoredEntry>(
  port: LedgerPort<Account, Entry>,
  draft: EntryDraft
): Promise<{ entry: Entry; account: Account; replayed: boolean }> {
  // No order entries needed: the draft is decided already.
  const call = { customer_id: draft.customer_id, idempotency_key: draft.idempotency_key }
  const result = await postUnderLock(port, call, () => draft)
  if (result.replayed) assertReplay(result.entry as Entry, draft)
  return result as { entry: Entry; account: Account; replayed: boolean }
}
