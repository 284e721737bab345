import { LoyaltyError } from "../../src/domain/shared/errors"
import { payloadHash, type AccountState, type EntryDraft, type Posting } from "../../src/domain/ledger/ledger"
import { postOnce, postUnderLock, type LedgerPort } from "../../src/domain/ledger/locked-posting"

type Account = AccountState & { customer_id: string; tier: string | null }
type Entry = { idempotency_key: string; order_id: string | null; payload_hash: string; points: number }

/** An in-memory store that records the order of the port calls (the algorithm's contract is that order). */
function memoryPort(accounts: Account[] = [], entries: Entry[] = []) {
  const calls: string[] = []
  const port: LedgerPort<Account, Entry> = {
    lockAccount: async (customer_id) => {
      calls.push("lock")
      const a = accounts.find((x) => x.customer_id === customer_id)
      return a ? { ...a } : null
    },
    openAccount: async (customer_id) => {
      calls.push("open")
      accounts.push({ customer_id, points_balance: 0, points_lifetime: 0, points_pending: 0, tier: null })
    },
    entriesByKey: async (key, order_id) => {
      calls.push("read")
      return entries.filter((e) => e.idempotency_key === key || (order_id !== null && e.order_id === order_id))
    },
    append: async (account, draft: EntryDraft, posting: Posting) => {
      calls.push("append")
      const entry = { idempotency_key: draft.idempotency_key, order_id: draft.order_id ?? null, payload_hash: payloadHash(draft), points: posting.points }
      entries.push(entry)
      const next = { ...account, ...posting.next }
      accounts.splice(accounts.findIndex((a) => a.customer_id === account.customer_id), 1, next)
      return { entry, account: next }
    },
    lifetimeChanged: async (account, { reason, correction }) => {
      calls.push(`tier:${reason}:${correction ? "correction" : "earned"}`)
      return { ...account, tier: account.points_lifetime >= 100 ? "silver" : "bronze" }
    },
  }
  return { port, calls, accounts, entries }
}

const ann = (points_balance = 0, points_lifetime = points_balance): Account => ({ customer_id: "cus_ann", points_balance, points_lifetime, points_pending: 0, tier: "bronze" })
const draft = (over: Partial<EntryDraft> = {}): EntryDraft => ({ customer_id: "cus_ann", kind: "adjustment", points: 50, idempotency_key: "adjustment:k1", reason: "goodwill", ...over })

describe("postUnderLock: lock, then key, then decide, then append", () => {
  it.each([
    ["an earning posts and re-evaluates the tier as earned", [ann(80)], draft({ points: 30 }), ["lock", "read", "append", "tier:adjustment:earned"], "silver"],
    ["a debit that lowers lifetime points re-evaluates as a correction", [ann(80)], draft({ points: -30 }), ["lock", "read", "append", "tier:adjustment:correction"], "bronze"],
    ["a redemption (lifetime unchanged) leaves the tier alone", [ann(80)], draft({ kind: "redemption", points: -30 }), ["lock", "read", "append"], "bronze"],
    ["a customer without an account gets one first, then the lock", [], draft({ points: 10 }), ["lock", "open", "lock", "read", "append", "tier:adjustment:earned"], "bronze"],
  ])("%s", async (_case, accounts, d, calls, tier) => {
    const before = (accounts as Account[])[0]?.points_balance ?? 0
    const store = memoryPort((accounts as Account[]).map((a) => ({ ...a })))
    const result = await postUnderLock(store.port, { customer_id: "cus_ann", idempotency_key: d.idempotency_key }, () => d)
    expect(store.calls).toEqual(calls)
    expect(result.replayed).toBe(false)
    expect(result.account.tier).toBe(tier)
    expect(result.account.points_balance).toBe(before + d.points)
  })

  it("hands decide the order's entries read under the lock, and writes nothing when decide says null", async () => {
    const accrual = { idempotency_key: "order:o1:accrual", order_id: "o1", payload_hash: "h", points: 40 }
    const other = { idempotency_key: "order:o2:accrual", order_id: "o2", payload_hash: "h", points: 10 }
    const store = memoryPort([ann(50)], [accrual, other])
    let seen: Entry[] = []
    const result = await postUnderLock(store.port, { customer_id: "cus_ann", idempotency_key: "refund:r1", order_id: "o1" }, ({ orderEntries }) => {
      seen = orderEntries
      return null
    })
    expect(seen).toEqual([accrual])
    expect(result).toMatchObject({ entry: null, replayed: false })
    expect(store.calls).toEqual(["lock", "read"])
  })
})

/** memoryPort with lockWithEntries: the lock and the read as one call ("lock+read"), as a port that sends both together. */
function pairedPort(accounts: Account[] = [], entries: Entry[] = []) {
  const store = memoryPort(accounts, entries)
  const { lockAccount, entriesByKey } = store.port
  store.port.lockWithEntries = async (customer_id, key, order_id) => {
    const account = await lockAccount(customer_id)
    const found = account ? await entriesByKey(key, order_id) : []
    store.calls.splice(-(account ? 2 : 1), account ? 2 : 1, account ? "lock+read" : "lock")
    return account ? { account, entries: found } : null
  }
  return store
}

describe("postUnderLock with a port that locks and reads in one call", () => {
  it("locks and reads the key and the order's entries in one call, then appends", async () => {
    const accrual = { idempotency_key: "order:o1:accrual", order_id: "o1", payload_hash: "h", points: 40 }
    const store = pairedPort([ann(50)], [accrual])
    let seen: Entry[] = []
    const d = draft({ idempotency_key: "refund:r1", order_id: "o1", kind: "clawback", points: -10 })
    await postUnderLock(store.port, { customer_id: "cus_ann", idempotency_key: "refund:r1", order_id: "o1" }, ({ orderEntries }) => {
      seen = orderEntries
      return d
    })
    expect(seen).toEqual([accrual])
    expect(store.calls).toEqual(["lock+read", "append", "tier:clawback:correction"])
  })

  it("opens a missing account, then locks and reads again", async () => {
    const store = pairedPort()
    const result = await postUnderLock(store.port, { customer_id: "cus_ann", idempotency_key: "adjustment:k1" }, () => draft({ points: 10 }))
    expect(store.calls).toEqual(["lock", "open", "lock+read", "append", "tier:adjustment:earned"])
    expect(result.account.points_balance).toBe(10)
  })

  it("refuses to go on when the account is still missing after opening it", async () => {
    const store = pairedPort()
    store.port.openAccount = async () => {}
    await expect(postUnderLock(store.port, { customer_id: "cus_ann", idempotency_key: "adjustment:k1" }, () => draft())).rejects.toBeInstanceOf(LoyaltyError)
  })
})

describe("postOnce: exact replay or conflict", () => {
  it("replays the same payload and refuses another under the same key", async () => {
    const store = memoryPort([ann(0)])
    const first = await postOnce(store.port, draft())
    const again = await postOnce(store.port, draft())
    expect(first.replayed).toBe(false)
    expect(again).toMatchObject({ replayed: true, entry: first.entry })
    await expect(postOnce(store.port, draft({ points: 51 }))).rejects.toMatchObject({ code: "IDEMPOTENCY_CONFLICT" })
    await expect(postOnce(store.port, draft({ points: 51 }))).rejects.toBeInstanceOf(LoyaltyError)
    expect(store.entries).toHaveLength(1)
  })
})

describe("postOnce with a store whose write checks the key (appendUnlessKeyTaken)", () => {
  /** The memory store plus a write that refuses a taken key itself, as a unique index with ON CONFLICT DO NOTHING does. */
  function keyCheckingPort(accounts: Account[], entries: Entry[] = []) {
    const store = memoryPort(accounts, entries)
    store.port.appendUnlessKeyTaken = async (account, d, posting) => {
      store.calls.push("append-unless-taken")
      if (store.entries.some((e) => e.idempotency_key === d.idempotency_key)) return null
      store.calls.pop()
      const appended = await store.port.append(account, d, posting)
      store.calls[store.calls.length - 1] = "append-unless-taken"
      return appended
    }
    return store
  }

  it("writes a new key without reading first, then re-evaluates the tier", async () => {
    const store = keyCheckingPort([ann(80)])
    const result = await postOnce(store.port, draft({ points: 30 }))
    expect(store.calls).toEqual(["lock", "append-unless-taken", "tier:adjustment:earned"])
    expect(result).toMatchObject({ replayed: false, account: { points_balance: 110, tier: "silver" } })
  })

  it("answers an exact replay with the stored entry and moves no balance", async () => {
    const store = keyCheckingPort([ann(0)])
    const first = await postOnce(store.port, draft())
    store.calls.length = 0
    const again = await postOnce(store.port, draft())
    expect(again).toMatchObject({ replayed: true, entry: first.entry, account: { points_balance: 50 } })
    expect(store.calls).toEqual(["lock", "append-unless-taken", "read"])
    expect(store.entries).toHaveLength(1)
  })

  it("refuses another payload under a taken key as IDEMPOTENCY_CONFLICT", async () => {
    const store = keyCheckingPort([ann(0)])
    await postOnce(store.port, draft())
    await expect(postOnce(store.port, draft({ points: 51 }))).rejects.toMatchObject({ code: "IDEMPOTENCY_CONFLICT" })
    expect(store.entries).toHaveLength(1)
    expect(store.accounts[0].points_balance).toBe(50)
  })

  it("replays a debit whose points were spent since, rather than refusing it", async () => {
    const debit = draft({ kind: "redemption", points: -40, idempotency_key: "redemption:r1", floor: "refuse" })
    const store = keyCheckingPort([ann(50)])
    const first = await postOnce(store.port, debit)
    await postOnce(store.port, draft({ kind: "redemption", points: -10, idempotency_key: "redemption:r2" }))
    const again = await postOnce(store.port, debit)
    expect(again).toMatchObject({ replayed: true, entry: first.entry })
  })

  it("refuses a debit beyond the balance under a new key, writing nothing", async () => {
    const store = keyCheckingPort([ann(10)])
    await expect(postOnce(store.port, draft({ kind: "redemption", points: -40, floor: "refuse" }))).rejects.toMatchObject({ code: "INSUFFICIENT_POINTS" })
    expect(store.entries).toHaveLength(0)
  })
})

describe("postUnderLock on a key already written, whichever way the port locks and reads", () => {
  it.each([
    ["a lock, then a read", memoryPort, ["lock", "read"]],
    ["both in one call", pairedPort, ["lock+read"]],
  ] as const)("returns the stored entry without asking decide: %s", async (_shape, makePort, calls) => {
    const stored = { idempotency_key: "adjustment:k1", order_id: null, payload_hash: "x", points: 50 }
    const store = makePort([ann(50)], [stored])
    const decide = jest.fn(() => draft())
    const result = await postUnderLock(store.port, { customer_id: "cus_ann", idempotency_key: "adjustment:k1" }, decide)
    expect(result).toMatchObject({ entry: stored, replayed: true })
    expect(decide).not.toHaveBeenCalled()
    expect(store.calls).toEqual(calls)
  })
})
