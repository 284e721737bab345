import { assertReplay, EntryDraft, payloadHash, planPosting } from "../../src/domain/ledger/ledger"

const draft = (over: Partial<EntryDraft> = {}): EntryDraft => ({
  customer_id: "cus_1",
  kind: "accrual",
  points: 100,
  idempotency_key: "order:order_1:accrual",
  order_id: "order_1",
  ...over,
})

describe("ledger postings", () => {
  const acct = (points_balance: number, points_lifetime: number, points_pending = 0) => ({
    points_balance,
    points_lifetime,
    points_pending,
  })

  it.each([
    ["an accrual adds to balance and lifetime", acct(0, 0), draft({ points: 223 }), 223, 223, 0],
    ["a zero accrual changes nothing", acct(50, 80), draft({ points: 0 }), 50, 80, 0],
    ["a negative adjustment lowers balance and lifetime", acct(50, 80), draft({ kind: "adjustment", points: -30 }), 20, 50, 0],
    ["a clawback may go below zero by default", acct(10, 10), draft({ kind: "clawback", points: -30 }), -20, 0, 0],
    ["a clawback with stop_at_zero stops at zero", acct(10, 40), draft({ kind: "clawback", points: -30, floor: "stop_at_zero" }), 0, 30, 0],
    ["stop_at_zero on a negative balance moves nothing", acct(-5, 0), draft({ kind: "clawback", points: -30, floor: "stop_at_zero" }), -5, 0, 0],
    ["a redemption lowers the balance, not lifetime", acct(600, 600), draft({ kind: "redemption", points: -500, floor: "refuse" }), 100, 600, 0],
    ["expiry lowers the balance, not lifetime", acct(600, 600), draft({ kind: "expiry", points: -100 }), 500, 600, 0],
    ["a pending accrual adds to pending only", acct(0, 0), draft({ points: 0, pending_points: 120 }), 0, 0, 120],
    ["an activation moves pending to available and lifetime", acct(0, 0, 120), draft({ kind: "activation", points: 120, pending_points: -120 }), 120, 120, 0],
  ])("%s", (_name, account, d, balance, lifetime, pending) => {
    const posting = planPosting(account, d)
    expect(posting.balance_after).toBe(balance)
    expect(posting.pending_after).toBe(pending)
    expect(posting.next).toEqual({ points_balance: balance, points_lifetime: lifetime, points_pending: pending })
    expect(posting.balance_after - account.points_balance).toBe(posting.points)
  })

  it("refuses a redemption that would overdraw the balance", () => {
    expect(() => planPosting(acct(400, 400), draft({ kind: "redemption", points: -500, floor: "refuse" }))).toThrow(
      expect.objectContaining({ code: "INSUFFICIENT_POINTS", details: { requested: 500, available: 400 } })
    )
  })

  it("refuses to take pending points below zero", () => {
    expect(() => planPosting(acct(0, 0, 10), draft({ kind: "reversal", points: 0, pending_points: -20 }))).toThrow(
      expect.objectContaining({ code: "LEDGER_INVARIANT" })
    )
  })

  it.each([1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])("refuses non-integer or unsafe points %p", (points) => {
    expect(() => planPosting(acct(0, 0), draft({ points }))).toThrow(
      expect.objectContaining({ code: "LEDGER_INVARIANT" })
    )
  })

  it("lets lifetime points pass the integer column's 2,147,483,647 (lifetime is bigint) while the balance stays small", () => {
    const posting = planPosting(acct(100, 2_147_483_000), draft({ kind: "adjustment", points: 1_000 }))
    expect(posting.next).toEqual({ points_balance: 1_100, points_lifetime: 2_147_484_000, points_pending: 0 })
  })

  it.each([
    ["a balance", acct(2_147_483_000, 0), 1_000],
    ["one movement", acct(-2_000_000_000, 0), 3_000_000_000],
  ])("refuses %s past the integer columns as LEDGER_INVARIANT (a 400), before anything is written", (_what, account, points) => {
    expect(() => planPosting(account, draft({ kind: "adjustment", points }))).toThrow(
      expect.objectContaining({ code: "LEDGER_INVARIANT", message: expect.stringContaining("2147483647") })
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

describe("ledger storage limits", () => {
  it.each([
    [{ points_balance: 2_147_483_000, points_lifetime: 0, points_pending: 0 }, 1000],
    [{ points_balance: -2_147_483_000, points_lifetime: 0, points_pending: 0 }, -1000],
  ])("refuses a movement that would take the balance beyond a PostgreSQL integer (%j %i)", (account, points) => {
    expect(() => planPosting(account, draft({ kind: "adjustment", points }))).toThrow(
      expect.objectContaining({ code: "LEDGER_INVARIANT", message: expect.stringContaining("2147483647") })
    )
  })
})
