/**
 * The ledger's one write path, for both adapters: lock the member's account, look for the idempotency key, let the
 * caller decide the entry from what the ledger holds, append it and move the cached balances, re-evaluate the tier
 * when lifetime points moved. Storage is a port each adapter implements inside one database transaction (v1 with
 * TypeORM, v2 with the loyalty module's manager); the order of these steps, which is what makes the ledger safe,
 * is written here once.
 */
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"
import { assertReplay, planPosting, type AccountState, type EntryDraft, type Posting } from "./ledger"

/** What the locked write reads and writes. Every method runs in the caller's transaction. */
export interface LedgerPort<Account extends AccountState, Entry extends StoredEntry> {
  /** The account under `SELECT … FOR UPDATE` (held until the transaction ends), or null when there is none. */
  lockAccount(customer_id: string): Promise<Account | null>
  /** Opens the account of a customer who has none yet (safe when a concurrent write opens it first). */
  openAccount(customer_id: string): Promise<void>
  /** Entries stored under `idempotency_key`, plus every entry of `order_id` when one is given, in append order. */
  entriesByKey(idempotency_key: string, order_id: string | null): Promise<Entry[]>
  /**
   * Optional: lockAccount then entriesByKey as two statements sent in one round trip; null when there is no account
   * (nothing locked, nothing read). Two statements, never one: the read starts once the lock is held, so its snapshot
   * holds every entry committed by the lock's earlier holders. Without it postUnderLock makes the two calls.
   */
  lockWithEntries?(customer_id: string, idempotency_key: string, order_id: string | null): Promise<{ account: Account; entries: Entry[] } | null>
  /** Appends the entry and moves the account's cached balances to `posting.next`; returns both as stored. */
  append(account: Account, draft: EntryDraft, posting: Posting): Promise<{ entry: Entry; account: Account }>
  /**
   * Optional: `append`, unless an entry is stored under the draft's idempotency key already; then it writes nothing
   * (neither the entry nor the balances) and returns null. One statement where the unique index on the key decides
   * (INSERT … ON CONFLICT DO NOTHING), so postOnce needs no read before its write. Without it postOnce reads first.
   */
  appendUnlessKeyTaken?(account: Account, draft: EntryDraft, posting: Posting): Promise<{ entry: Entry; account: Account } | null>
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
  const { account, found } = await lockedWithEntries(port, customer_id, idempotency_key, order_id)
  const stored = found.find((e) => e.idempotency_key === idempotency_key)
  if (stored) return { entry: stored, account, replayed: true }
  const draft = await decide({ account, orderEntries: order_id ? found.filter((e) => e.order_id === order_id) : [] })
  if (!draft) return { entry: null, account, replayed: false }
  const posting = planPosting(account, draft)
  return { ...(await withTier(port, account, draft, posting, await port.append(account, draft, posting))), replayed: false }
}

/**
 * The customer's account under its row lock (opened first when missing) and the entries under the key or of the
 * order, read after the lock is held: in one round trip when the port can send both statements together.
 */
async function lockedWithEntries<Account extends AccountState, Entry extends StoredEntry>(
  port: LedgerPort<Account, Entry>,
  customer_id: string,
  idempotency_key: string,
  order_id: string | null
): Promise<{ account: Account; found: Entry[] }> {
  if (!port.lockWithEntries) {
    const account = await lockOrOpen(port, customer_id)
    return { account, found: await port.entriesByKey(idempotency_key, order_id) }
  }
  let locked = await port.lockWithEntries(customer_id, idempotency_key, order_id)
  if (!locked) {
    await port.openAccount(customer_id)
    locked = await port.lockWithEntries(customer_id, idempotency_key, order_id)
  }
  if (!locked) throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `No account for customer "${customer_id}" after opening it`, { customer_id })
  return { account: locked.account, found: locked.entries }
}

/** The customer's account under its row lock, opened first when missing. */
async function lockOrOpen<Account extends AccountState, Entry extends StoredEntry>(port: LedgerPort<Account, Entry>, customer_id: string): Promise<Account> {
  const account = await port.lockAccount(customer_id)
  if (account) return account
  await port.openAccount(customer_id)
  return (await port.lockAccount(customer_id)) as Account
}

/**
 * The appended entry with the account as it ends: the tier re-evaluated under the same lock when lifetime points
 * moved, a lower figure being a correction (no grace for points taken back).
 */
async function withTier<Account extends AccountState, Entry extends StoredEntry>(
  port: LedgerPort<Account, Entry>,
  before: Account,
  draft: EntryDraft,
  posting: Posting,
  appended: { entry: Entry; account: Account }
): Promise<{ entry: Entry; account: Account }> {
  if (posting.next.points_lifetime === before.points_lifetime) return appended
  const correction = posting.next.points_lifetime < before.points_lifetime
  return { entry: appended.entry, account: await port.lifetimeChanged(appended.account, { reason: draft.kind, correction }) }
}

/**
 * Appends `draft` exactly once per idempotency key: a second call with the same payload returns the stored entry
 * (a redelivered event, a retried request), one with another payload is IDEMPOTENCY_CONFLICT.
 * With the port's appendUnlessKeyTaken the key is checked by the write itself (under the lock, by the unique index,
 * which sees committed entries whatever the statement's snapshot): a new key costs no read, and the stored entry is
 * read only for a replay. A replay is answered as stored even when the draft would be refused now (its points were
 * spent since): the refusal stands only for a key not used yet.
 */
export async function postOnce<Account extends AccountState, Entry extends StoredEntry>(
  port: LedgerPort<Account, Entry>,
  draft: EntryDraft
): Promise<{ entry: Entry; account: Account; replayed: boolean }> {
  if (!port.appendUnlessKeyTaken) return await postOnceAfterRead(port, draft)
  const account = await lockOrOpen(port, draft.customer_id)
  let posting: Posting
  try {
    posting = planPosting(account, draft)
  } catch (refusal) {
    const stored = await storedUnder(port, draft.idempotency_key)
    if (!stored) throw refusal
    return replayOf(stored, account, draft)
  }
  const appended = await port.appendUnlessKeyTaken(account, draft, posting)
  if (appended) return { ...(await withTier(port, account, draft, posting, appended)), replayed: false }
  const stored = await storedUnder(port, draft.idempotency_key)
  if (!stored) {
    // The index refused the key, so its entry is committed: not finding it means the store broke its contract.
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `No entry under idempotency key "${draft.idempotency_key}" after the key was refused`, {
      idempotency_key: draft.idempotency_key,
    })
  }
  return replayOf(stored, account, draft)
}

/** postOnce on a port without appendUnlessKeyTaken: the key is read under the lock before the write. */
async function postOnceAfterRead<Account extends AccountState, Entry extends StoredEntry>(
  port: LedgerPort<Account, Entry>,
  draft: EntryDraft
): Promise<{ entry: Entry; account: Account; replayed: boolean }> {
  // No order entries needed: the draft is decided already.
  const call = { customer_id: draft.customer_id, idempotency_key: draft.idempotency_key }
  const result = await postUnderLock(port, call, () => draft)
  if (result.replayed) assertReplay(result.entry as Entry, draft)
  return result as { entry: Entry; account: Account; replayed: boolean }
}

async function storedUnder<Account extends AccountState, Entry extends StoredEntry>(port: LedgerPort<Account, Entry>, idempotency_key: string): Promise<Entry | undefined> {
  return (await port.entriesByKey(idempotency_key, null)).find((e) => e.idempotency_key === idempotency_key)
}

/** The stored entry as the answer to `draft`, when it is an exact replay (else IDEMPOTENCY_CONFLICT). */
function replayOf<Account, Entry extends StoredEntry>(stored: Entry, account: Account, draft: EntryDraft): { entry: Entry; account: Account; replayed: true } {
  assertReplay(stored, draft)
  return { entry: stored, account, replayed: true }
}
