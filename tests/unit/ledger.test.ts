import { assertReplay, EntryDraft, payloadHash, planPosting } from "../../src/domain/ledger"

const draft = (over: Partial<EntryDraft> = {}): EntryDraft => ({
  customer_id: "cus_1",
  kind: "accrual",
  points: 100,
  idempotency_key: "order:order_1:accrual",
  order_id: "order_1",
  ...over,
})

describe("ledger postings", () => {
  it.each([
    [{ points_balance: 0, points_lifetime: 0 }, draft({ points: 223 }), 223, 223],
    [{ points_balance: 50, points_lifetime: 80 }, draft({ points: 0 }), 50, 80],
    [{ points_balance: 50, points_lifetime: 80 }, draft({ kind: "adjustment", points: -30 }), 20, 50],
    [{ points_balance: 10, points_lifetime: 10 }, draft({ kind: "adjustment", points: -30 }), -20, 0],
  ])("from %j, posting %j leaves balance %i and lifetime %i", (account, d, balance, lifetime) => {
    const posting = planPosting(account, d)
    expect(posting.balance_after).toBe(balance)
    expect(posting.next).toEqual({ points_balance: balance, points_lifetime: lifetime })
  })

  it.each([1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])("refuses non-integer or unsafe points %p", (points) => {
    expect(() => planPosting({ points_balance: 0, points_lifetime: 0 }, draft({ points }))).toThrow(
      expect.objectContaining({ code: "LEDGER_INVARIANT" })
    )
  })

  it("treats the same payload under the same key as a replay", () => {
    expect(() => assertReplay({ payload_hash: payloadHash(draft()), idempotency_key: "k" }, draft())).not.toThrow()
  })

  it.each([{ points: 101 }, { customer_id: "cus_2" }, { reason: "typo" }, { kind: "adjustment" as const }])(
    "treats a different payload (%j) under the same key as a conflict",
    (change) => {
      expect(() =>
        assertReplay({ payload_hash: payloadHash(draft()), idempotency_key: "k" }, draft(change))
      ).toThrow(expect.objectContaining({ code: "IDEMPOTENCY_CONFLICT" }))
    }
  )
})
